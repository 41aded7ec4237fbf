"""The storefront website set-up: Spanish beside English, the seller, the menus.

``_saas_storefront_setup`` runs at install and at every upgrade of saas_master
(data/storefront_data.xml) and once more after the install's translations are
loaded (hooks.post_init_hook); it only adds what is missing, so an admin's later
edits in the website builder stay.
"""

from odoo import api, models

STOREFRONT_LANGS = ("en_US", "es_ES")
# the storefront's own menus: url -> (sequence, name, Spanish name); Odoo's "Home",
# "Shop" and "Contact us" stay where Odoo puts them (sequences 10, 20, 60)
STOREFRONT_MENUS = {
    "/pricing": (30, "Pricing", "Precios"),
    "/how-it-works": (40, "How it works", "Cómo funciona"),
}
DEMO_WEBSITE_NAME = "My Website"
# the defaults of the lifecycle settings (models/res_config_settings.py)
LIFECYCLE_DEFAULTS = {"reminder_days": 7, "trial_reminder_days": 3, "grace_days": 30}


class Website(models.Model):
    _inherit = "website"

    @api.model
    def _saas_storefront_setup(self):
        langs = self._saas_storefront_languages()
        for website in self.search([]):
            website._saas_storefront_website(langs)

    @api.model
    def _saas_storefront_languages(self):
        """STOREFRONT_LANGS active, with the terms of every installed module."""
        Lang = self.env["res.lang"].with_context(active_test=False)
        langs = Lang.browse()
        for code in STOREFRONT_LANGS:
            lang = Lang.search([("code", "=", code)], limit=1)
            if not lang.active:
                self.env["res.lang"]._activate_lang(code)
                installed = self.env["ir.module.module"].search(
                    [("state", "=", "installed")]
                )
                installed._update_translations(code)
            langs |= lang
        return langs

    def _saas_storefront_website(self, langs):
        self.ensure_one()
        values = {}
        missing = langs - self.language_ids
        if missing:
            values["language_ids"] = [(4, lang.id) for lang in missing]
        if self.name == DEMO_WEBSITE_NAME:
            values["name"] = self.company_id.name
        if values:
            self.write(values)
        self._saas_storefront_menus()

    def _saas_storefront_menus(self):
        Menu = self.env["website.menu"]
        top = self.menu_id
        if not top:
            return
        for url, (sequence, name, name_es) in STOREFRONT_MENUS.items():
            menu = Menu.search(
                [("website_id", "=", self.id), ("url", "=", url)], limit=1
            )
            if not menu:
                menu = Menu.create(
                    {
                        "name": name,
                        "url": url,
                        "parent_id": top.id,
                        "website_id": self.id,
                        "sequence": sequence,
                    }
                )
                menu.update_field_translations("name", {"es_ES": name_es})
        self._saas_translate_default_menus()

    def _saas_translate_default_menus(self):
        """Odoo copies a module's menus to each website in English only: give the
        copies the Spanish of the module's own menu (e.g. Shop -> Tienda)."""
        defaults = self.env.ref("website.main_menu").child_id
        for menu in self.menu_id.child_id:
            source = defaults.filtered(lambda m, url=menu.url: m.url == url)[:1]
            if not source:
                continue
            spanish = source.with_context(lang="es_ES").name
            if spanish and menu.with_context(lang="es_ES").name == menu.name != spanish:
                menu.update_field_translations("name", {"es_ES": spanish})

    def _saas_brand_logo_url(self):
        """The logo of the seller: the website's own (set in the builder), else the
        company's; False when both are Odoo's placeholders (the name is shown)."""
        self.ensure_one()
        if self.logo and self.logo != self._default_logo():
            return "/web/image/website/%s/logo" % self.id
        if not self.company_id.uses_default_logo:
            return "/web/image/res.company/%s/logo" % self.company_id.id
        return False

    def _saas_lifecycle_facts(self):
        """The lifecycle settings the how-it-works page states (res.config.settings
        defaults when unset)."""
        get = self.env["ir.config_parameter"].sudo().get_param
        facts = {}
        for key, default in LIFECYCLE_DEFAULTS.items():
            try:
                facts[key] = int(get("saas_master.%s" % key) or default)
            except ValueError:
                facts[key] = default
        return facts

"""What the SaaS bridge does inside a tenant, as its technical user."""

import re

from odoo import _, api, models
from odoo.exceptions import AccessError, ValidationError

SETUP_TEXT_KEYS = ("company_name", "admin_login", "admin_password", "plan_code")
PARAMS = {
    "plan_code": "saas_tenant.plan_code",
    "max_users": "saas_tenant.max_users",
    "storage_mb": "saas_tenant.storage_mb",
    "expiration_date": "saas_tenant.expiration_date",
}

# the tenant's public address: scheme, host, optional port, nothing else
BASE_URL = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$")


class SaasTenantBridge(models.AbstractModel):
    _name = "saas.tenant.bridge"
    _description = "SaaS bridge entry points"

    def _check_bridge(self):
        if not self.env.user.saas_technical:
            raise AccessError(_("Only the SaaS bridge may call this."))

    @api.model
    def apply_setup(self, values):
        """Company, plan limits and the customer's administrator (uid 2).

        ``values``: company_name, company_email, admin_login, admin_password,
        plan_code, max_users, storage_mb, expiration_date, optional base_url
        (docs/contracts.md).
        Applying the same values twice gives the same tenant.
        """
        self._check_bridge()
        if not isinstance(values, dict):
            raise ValidationError(_("The set-up must be a mapping."))
        for key in SETUP_TEXT_KEYS:
            if not isinstance(values.get(key), str) or not values[key].strip():
                raise ValidationError(_("The set-up lacks %(key)s.", key=key))
        for key in ("max_users", "storage_mb"):
            if not isinstance(values.get(key), int) or values[key] < 0:
                raise ValidationError(_("The set-up lacks %(key)s.", key=key))
        env = self.sudo().env
        company = env["res.company"].search([], limit=1, order="id")
        company.write(
            {
                "name": values["company_name"],
                "email": values.get("company_email") or False,
            }
        )
        params = env["ir.config_parameter"]
        for key, param in PARAMS.items():
            value = values.get(key)
            params.set_param(param, "" if value in (None, False) else str(value))
        if values.get("base_url"):
            self.set_base_url(values["base_url"])
        admin = env.ref("base.user_admin")
        admin.write(
            {
                "login": values["admin_login"],
                "email": values.get("company_email") or values["admin_login"],
                "name": values["company_name"],
                "password": values["admin_password"],
            }
        )
        if values.get("multi_company"):
            # as Settings > Multi-company: the admin creates and switches companies
            admin.write({"groups_id": [(4, env.ref("base.group_multi_company").id)]})
        self._apply_locale(env, values)
        self._apply_mail(env, values)
        return True

    @api.model
    def install_plan_modules(self, names):
        """Installs the modules of a plan the tenant was switched to (``names``: the
        plan's modules, all among ``saas_tenant.apps``, which the bridge writes first).
        Answers the names it installed; none when all are there already."""
        self._check_bridge()
        todo = self._plan_modules_to_install(names)
        installed = sorted(todo.mapped("name"))
        if todo:
            # commits and reloads the registry, as the Apps menu's Install button does
            todo.button_immediate_install()
        return installed

    @api.model
    def _plan_modules_to_install(self, names):
        if not isinstance(names, list) or not all(
            isinstance(name, str) and name for name in names
        ):
            raise ValidationError(_("The modules must be a list of technical names."))
        allowed = self.env["saas.tenant.plan"]._allowed_apps()
        outside = sorted(set(names) - allowed)
        if outside:
            raise ValidationError(
                _(
                    "%(modules)s: not in this tenant's plan.",
                    modules=", ".join(outside),
                )
            )
        modules = self.env["ir.module.module"].sudo().search([("name", "in", names)])
        unknown = sorted(set(names) - set(modules.mapped("name")))
        if unknown:
            raise ValidationError(
                _(
                    "%(modules)s: no such module in this Odoo.",
                    modules=", ".join(unknown),
                )
            )
        return modules.filtered(lambda module: module.state != "installed")

    @api.model
    def set_base_url(self, url):
        """The address customers reach the tenant at (its subdomain, or its custom
        domain once verified; https behind the platform's proxy): links in mails,
        the portal and redirects use it. Frozen, so an admin logging in through
        another name (the direct container address) does not overwrite it."""
        self._check_bridge()
        if not isinstance(url, str) or not BASE_URL.match(url):
            raise ValidationError(
                _("The base URL must be like https://erp.example.com, not %s.", url)
            )
        params = self.sudo().env["ir.config_parameter"]
        params.set_param("web.base.url", url)
        params.set_param("web.base.url.freeze", "True")
        return True

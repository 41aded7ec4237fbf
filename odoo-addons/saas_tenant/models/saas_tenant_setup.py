"""The owner's locale and the platform's mail relay, applied with the set-up."""

import pytz

from odoo import _, models
from odoo.exceptions import ValidationError

ENCRYPTIONS = ("none", "starttls", "ssl")
# shown in Settings > Technical > Outgoing Mail Servers; the customer may replace it
RELAY_NAME = "Platform mail relay"
RELAY_PARAM = "saas_tenant.mail_server_id"


class SaasTenantBridge(models.AbstractModel):
    _inherit = "saas.tenant.bridge"

    def _apply_locale(self, env, values):
        """Language, time zone, country and currency of the owner (each optional).

        The language must be loaded already (the bridge clones a template that has
        it): loading one here would make provisioning slow.
        """
        company = env["res.company"].search([], limit=1, order="id")
        admin = env.ref("base.user_admin")
        lang = values.get("lang")
        if lang and env["res.lang"]._lang_get(lang):
            admin.write({"lang": lang})
            company.partner_id.write({"lang": lang})
        tz = values.get("tz")
        if tz:
            if tz not in pytz.all_timezones_set:
                raise ValidationError(_("Unknown time zone %(tz)s.", tz=tz))
            admin.write({"tz": tz})
            company.partner_id.write({"tz": tz})
        code = values.get("country_code")
        if code:
            country = env["res.country"].search([("code", "=", code)], limit=1)
            if not country:
                raise ValidationError(_("Unknown country %(code)s.", code=code))
            if company.country_id != country:
                company.write({"country_id": country.id})
        name = values.get("currency")
        if name and company.currency_id.name != name:
            self._set_currency(env, company, name)

    def _set_currency(self, env, company, name):
        currency = (
            env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", name)])
        )
        if not currency:
            raise ValidationError(_("Unknown currency %(name)s.", name=name))
        # a company with journal items keeps its currency (Odoo refuses the change)
        if "account.move.line" in env and env["account.move.line"].search_count(
            [("company_id", "=", company.id)], limit=1
        ):
            return
        currency.active = True
        company.write({"currency_id": currency.id})

    def _apply_mail(self, env, values):
        """The platform's relay as the tenant's outgoing server, for its own host.

        ``from_filter`` is the tenant's host: a mail from any other address (a user's
        own) goes out as ``"Name" <notifications@host>``, which the relay accepts.
        Replies go to the author's address (no alias domain: see README, Mail).
        """
        relay = values.get("mail_server")
        if not relay:
            return
        if not isinstance(relay, dict) or not relay.get("host"):
            raise ValidationError(_("The mail server lacks its host."))
        encryption = relay.get("encryption") or "none"
        port = relay.get("port")
        if encryption not in ENCRYPTIONS or not isinstance(port, int) or port <= 0:
            raise ValidationError(_("The mail server's port or encryption is wrong."))
        server_values = {
            "name": RELAY_NAME,
            "smtp_host": relay["host"],
            "smtp_port": port,
            "smtp_encryption": encryption,
            "smtp_authentication": "login",
            "smtp_user": relay.get("user") or False,
            "smtp_pass": relay.get("password") or False,
            "from_filter": values.get("mail_domain") or False,
            "sequence": 10,
        }
        params = env["ir.config_parameter"]
        Server = env["ir.mail_server"].with_context(active_test=False)
        server = Server.browse(int(params.get_param(RELAY_PARAM) or 0)).exists()
        if server:
            server.write(server_values)
        else:
            server = Server.create(server_values)
            params.set_param(RELAY_PARAM, str(server.id))

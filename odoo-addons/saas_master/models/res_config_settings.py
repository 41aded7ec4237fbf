from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    saas_bridge_url = fields.Char(
        string="Bridge URL",
        config_parameter="saas_master.bridge_url",
        help="Base URL of the bridge, e.g. http://127.0.0.1:3000 "
        "(events are posted to <url>/v1/events).",
    )
    saas_bridge_secret = fields.Char(
        string="Bridge shared secret",
        config_parameter="saas_master.bridge_secret",
        help="Same value as BRIDGE_SHARED_SECRET on the bridge; signs every event.",
    )
    saas_tenant_domain = fields.Char(
        string="Tenant domain",
        config_parameter="saas_master.tenant_domain",
        help="Shown after the subdomain at checkout, e.g. localhost:8080 "
        "for http://<subdomain>.localhost:8080.",
    )

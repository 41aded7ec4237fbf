"""The saas_tenant version each tenant reports (issue 14, rolling updates)."""

from odoo import fields, models


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    tenant_version = fields.Char(
        string="Tenant version",
        readonly=True,
        copy=False,
        tracking=True,
        help="The saas_tenant version the tenant reported after its last update.",
    )
    rollout_line_ids = fields.One2many(
        "saas.rollout.line", "instance_id", string="Updates", readonly=True
    )

from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    saas_renewal_instance_id = fields.Many2one(
        "saas.instance",
        string="Renews instance",
        copy=False,
        readonly=True,
        index=True,
        ondelete="set null",
        help="Renewal invoice created by the lifecycle sweep for this instance.",
    )
    saas_renewal_period_end = fields.Date(
        string="Renews the period ending on",
        copy=False,
        readonly=True,
        help="The expiry this invoice renews: one renewal invoice per period.",
    )

    def _saas_is_renewal(self, instance):
        # The sweep's renewal invoice always renews, even for an instance never
        # paid before (e.g. created by an admin).
        return super()._saas_is_renewal(instance) or (
            self.saas_renewal_instance_id == instance
        )

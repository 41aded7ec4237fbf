from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    saas_plan_change_instance_id = fields.Many2one(
        "saas.instance",
        string="Changes the plan of",
        copy=False,
        readonly=True,
        index=True,
        ondelete="set null",
        help="Pro-rata invoice of an upgrade: paying it switches the plan at once; "
        "it never extends the expiry.",
    )
    saas_plan_change_plan_id = fields.Many2one(
        "product.template", string="New plan", copy=False, readonly=True
    )
    saas_plan_change_applied = fields.Boolean(copy=False, readonly=True)

    def _saas_on_paid(self):
        changes = self.filtered("saas_plan_change_instance_id")
        # a plan-change invoice is no period: no invoice.paid, no new expiry
        res = super(AccountMove, self - changes)._saas_on_paid()
        for move in changes.filtered(
            lambda m: m.payment_state in ("paid", "in_payment")
            and not m.saas_plan_change_applied
        ):
            move.sudo().saas_plan_change_applied = True
            instance = move.sudo().saas_plan_change_instance_id
            if instance.plan_id != move.saas_plan_change_plan_id:
                instance._apply_plan(move.saas_plan_change_plan_id, "upgrade")
        # a paid renewal may start the period of a pending downgrade
        today = fields.Date.context_today(self)
        (self - changes).sudo().saas_instance_ids._apply_due_pending_plan(today)
        return res

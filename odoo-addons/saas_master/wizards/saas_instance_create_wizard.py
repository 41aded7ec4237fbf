from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lib import subdomain as sd


class SaasInstanceCreateWizard(models.TransientModel):
    """An admin creates an instance for a customer without an order: a trial, or a
    period paid outside the shop. The bridge provisions it at once (instance.retry)."""

    _name = "saas.instance.create.wizard"
    _description = "Create a SaaS instance"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    plan_id = fields.Many2one(
        "product.template",
        string="Plan",
        required=True,
        domain=[("saas_is_plan", "=", True)],
    )
    subdomain = fields.Char(required=True)
    billing = fields.Selection(
        [("trial", "Free trial"), ("paid", "Paid (one period, paid outside the shop)")],
        required=True,
        default="paid",
    )
    multi_company = fields.Boolean(
        string="Several companies",
        help="Set the tenant up for several companies (its administrator can "
        "create and switch between them).",
    )
    trial_days = fields.Integer(
        default=14, help="Days of the trial; the plan's trial days when it has some."
    )

    @api.onchange("partner_id", "plan_id")
    def _onchange_default_subdomain(self):
        if self.partner_id and not self.subdomain:
            self.subdomain = self.env["saas.instance"]._default_subdomain(
                self.partner_id
            )
        if self.plan_id.saas_trial_days:
            self.trial_days = self.plan_id.saas_trial_days

    def action_create(self):
        self.ensure_one()
        Instance = self.env["saas.instance"]
        wanted = sd.normalize_subdomain(self.subdomain or "")
        error = Instance._subdomain_error(wanted)
        if error:
            raise UserError(error)
        if self.billing == "trial" and self.trial_days < 1:
            raise UserError(_("A trial lasts at least one day."))
        instance = Instance._create_for(
            self.partner_id, self.plan_id, self.env.company, wanted
        )
        if self.multi_company:
            instance.multi_company = True
        today = fields.Date.context_today(self)
        if self.billing == "trial":
            instance.write(
                {
                    "is_trial": True,
                    "expiration_date": today + relativedelta(days=self.trial_days),
                }
            )
        else:
            months = max(self.plan_id.saas_period_months, 1)
            instance.write(
                {
                    "last_payment_date": today,
                    "expiration_date": today + relativedelta(months=months),
                }
            )
        instance._enqueue_event(
            "instance.retry",
            {"requested_by": self.env.user.login, "reason": "admin"},
            dedupe_key="admin-create:%s" % instance.id,
        )
        instance.message_post(
            body=_(
                "Created by %(user)s (%(billing)s), expires on %(date)s.",
                user=self.env.user.name,
                billing=dict(self._fields["billing"].selection)[self.billing],
                date=instance.expiration_date,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "saas.instance",
            "res_id": instance.id,
            "view_mode": "form",
            "target": "current",
        }

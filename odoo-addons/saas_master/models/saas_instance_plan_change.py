"""Changing an instance's plan (issue 10).

- An upgrade (a plan that costs more per month) applies at once, once the customer
  paid a pro-rata invoice for the rest of the current period. That invoice never
  extends the expiry: only the period (renewal) invoices do.
- A downgrade applies from the next period: the master records the pending plan,
  the next renewal invoice is made for it, and the plan switches when that period
  starts (and is paid). A downgrade that the current usage would break (more active
  users or more storage than the smaller plan allows) is refused before anything
  is recorded, with what to reduce.
- Whenever ``plan_id`` of a provisioned instance changes (these rules, an order,
  an admin's edit), the outbox sends ``instance.plan_changed`` so that the bridge
  applies the new limits to the tenant.
"""

from dateutil.relativedelta import relativedelta

from odoo import _, fields, models
from odoo.exceptions import UserError

# states in which the customer may change the plan: the tenant runs (a suspended
# one has an expired period, whose renewal comes first)
CHANGEABLE_STATES = ("running", "sleeping")
# states in which the bridge has a tenant to apply a new plan to
APPLIED_STATES = ("running", "sleeping", "suspended", "error")
CHANGE_KINDS = ("upgrade", "downgrade", "order", "admin")


def monthly_price(plan):
    return plan.list_price / max(plan.saas_period_months, 1)


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    pending_plan_id = fields.Many2one(
        "product.template",
        string="Next period's plan",
        copy=False,
        readonly=True,
        tracking=True,
        ondelete="set null",
        help="A downgrade the customer asked for: the next renewal invoice is made "
        "for this plan, which applies when that period starts.",
    )
    pending_plan_from = fields.Date(
        string="Plan changes on",
        copy=False,
        readonly=True,
        help="First day of the period the pending plan applies to.",
    )

    # ------------------------------------------------------------------
    # What a change would be
    # ------------------------------------------------------------------

    def _plan_change_kind(self, plan):
        """``upgrade`` when ``plan`` costs more per month than the current one."""
        self.ensure_one()
        if monthly_price(plan) > monthly_price(self.plan_id):
            return "upgrade"
        return "downgrade"

    def _plan_change_error(self, plan):
        """Why the customer cannot move to ``plan`` at all, or False."""
        self.ensure_one()
        if not plan or not plan.saas_is_plan or not plan.sale_ok:
            return _("This plan cannot be chosen.")
        if plan == self.plan_id:
            return _(
                "%(name)s already runs on %(plan)s.", name=self.name, plan=plan.name
            )
        return self._plan_change_blocked()

    def _plan_change_blocked(self):
        """Why no plan change is possible for this instance now, or False."""
        self.ensure_one()
        if self.state not in CHANGEABLE_STATES:
            return _(
                "The plan of %(name)s can be changed once it is running.",
                name=self.name,
            )
        if self.cancel_at_period_end:
            return _(
                "You cancelled this subscription: keep it first, then change its plan."
            )
        return False

    def _plan_limit_problems(self, plan):
        """What the customer must reduce before ``plan`` fits (measured usage)."""
        self.ensure_one()
        problems = []
        max_users = plan.saas_max_users
        if max_users and self.usage_users > max_users:
            problems.append(
                _(
                    "Archive %(count)s user(s): %(used)s are active and %(plan)s "
                    "allows %(max)s.",
                    count=self.usage_users - max_users,
                    used=self.usage_users,
                    plan=plan.name,
                    max=max_users,
                )
            )
        storage = self.usage_storage_mb
        max_storage = plan.saas_storage_mb
        if max_storage and storage > max_storage:
            problems.append(
                _(
                    "Free %(excess)s MB of storage: %(used)s MB are used and "
                    "%(plan)s includes %(max)s MB.",
                    excess=int(storage - max_storage + 0.999),
                    used=int(storage + 0.5),
                    plan=plan.name,
                    max=max_storage,
                )
            )
        return problems

    def _prorata_amount(self, plan):
        """Price difference for the days left in the current period (>= 0)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        end = self.expiration_date
        if not end or end <= today or self._is_in_trial():
            return 0.0
        months = max(self.plan_id.saas_period_months, 1)
        period_days = max((end - (end - relativedelta(months=months))).days, 1)
        days_left = min((end - today).days, period_days)
        difference = (monthly_price(plan) - monthly_price(self.plan_id)) * months
        amount = max(difference, 0.0) * days_left / period_days
        return self.company_id.currency_id.round(amount)

    def _plan_change_options(self):
        """The plans the customer may pick, with what choosing each one means."""
        self.ensure_one()
        plans = (
            self.env["product.template"]
            .sudo()
            .search(
                [
                    ("saas_is_plan", "=", True),
                    ("sale_ok", "=", True),
                    ("is_published", "=", True),
                    ("id", "!=", self.plan_id.id),
                ],
                order="list_price, id",
            )
        )
        options = []
        for plan in plans:
            kind = self._plan_change_kind(plan)
            options.append(
                {
                    "plan": plan,
                    "kind": kind,
                    "amount": self._prorata_amount(plan) if kind == "upgrade" else 0.0,
                    "problems": (
                        self._plan_limit_problems(plan) if kind == "downgrade" else []
                    ),
                    "pending": plan == self.pending_plan_id,
                }
            )
        return options

    # ------------------------------------------------------------------
    # Asking for a change (portal, JSON-RPC)
    # ------------------------------------------------------------------

    def request_plan_change(self, plan_id):
        """The customer (or an admin) asks to move this instance to ``plan_id``.

        Returns ``{"kind", "invoice_id", "applied"}``: an upgrade gives the
        pro-rata invoice to pay (applied at once when there is nothing to pay, as
        on the last day or in a trial); a downgrade records the pending plan.
        Raises UserError (nothing recorded) when the change is not possible.
        """
        self.ensure_one()
        plan = self.env["product.template"].sudo().browse(int(plan_id)).exists()
        error = self._plan_change_error(plan)
        if error:
            raise UserError(error)
        kind = self._plan_change_kind(plan)
        if kind == "downgrade":
            problems = self._plan_limit_problems(plan)
            if problems:
                raise UserError(
                    _(
                        "%(plan)s is too small for %(name)s today. %(todo)s",
                        plan=plan.name,
                        name=self.name,
                        todo=" ".join(problems),
                    )
                )
            if self._is_in_trial():
                self._apply_plan(plan, "downgrade")
                return {"kind": kind, "invoice_id": False, "applied": True}
            self._schedule_downgrade(plan)
            return {"kind": kind, "invoice_id": False, "applied": False}
        amount = self._prorata_amount(plan)
        if not amount:
            self._apply_plan(plan, "upgrade")
            return {"kind": kind, "invoice_id": False, "applied": True}
        invoice = self._plan_change_invoice(plan, amount)
        return {"kind": kind, "invoice_id": invoice.id, "applied": False}

    def _schedule_downgrade(self, plan):
        self.ensure_one()
        self._cancel_open_plan_change_invoices()
        self.sudo().write(
            {"pending_plan_id": plan.id, "pending_plan_from": self.expiration_date}
        )
        # a renewal invoice made for the old plan is made again for the new one
        renewal = self._open_renewal_invoice()
        if renewal and renewal.payment_state == "not_paid":
            renewal.button_draft()
            renewal.button_cancel()
            self._ensure_renewal_invoice(fields.Date.context_today(self))
        self.message_post(
            body=_(
                "Downgrade to %(plan)s requested by %(user)s: it applies from "
                "%(date)s, the start of the next period.",
                plan=plan.name,
                user=self.env.user.name,
                date=self.expiration_date,
            ),
            subtype_xmlid="mail.mt_note",
        )

    def action_cancel_pending_plan(self):
        """The customer keeps the current plan after all."""
        for instance in self.filtered("pending_plan_id"):
            plan = instance.pending_plan_id
            instance.sudo().write(
                {"pending_plan_id": False, "pending_plan_from": False}
            )
            renewal = instance._open_renewal_invoice()
            if renewal.payment_state == "not_paid" and (
                renewal._saas_plans() != instance.plan_id
            ):
                renewal.button_draft()
                renewal.button_cancel()
                instance._ensure_renewal_invoice(fields.Date.context_today(instance))
            instance.message_post(
                body=_(
                    "The downgrade to %(plan)s was withdrawn by %(user)s.",
                    plan=plan.name,
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _open_plan_change_invoices(self):
        self.ensure_one()
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("saas_plan_change_instance_id", "=", self.id),
                    ("state", "=", "posted"),
                    ("payment_state", "=", "not_paid"),
                ]
            )
        )

    def _cancel_open_plan_change_invoices(self, keep=None):
        for invoice in self._open_plan_change_invoices() - (
            keep or self.env["account.move"]
        ):
            invoice.button_draft()
            invoice.button_cancel()

    def _plan_change_invoice(self, plan, amount):
        """The open pro-rata invoice for ``plan`` (made once; another one is
        cancelled: only the last choice can be paid)."""
        self.ensure_one()
        same = self._open_plan_change_invoices().filtered(
            lambda m: m.saas_plan_change_plan_id == plan
        )[:1]
        self._cancel_open_plan_change_invoices(keep=same)
        if same:
            return same
        today = fields.Date.context_today(self)
        invoice = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "invoice_date": today,
                    "invoice_date_due": today,
                    "invoice_origin": self.subdomain,
                    "saas_plan_change_instance_id": self.id,
                    "saas_plan_change_plan_id": plan.id,
                    "saas_instance_ids": [fields.Command.link(self.id)],
                    "invoice_line_ids": [
                        fields.Command.create(
                            {
                                "product_id": plan.product_variant_id.id,
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [fields.Command.clear()],
                                "name": _(
                                    "Upgrade of %(name)s from %(old)s to %(new)s, "
                                    "until %(date)s (pro rata)",
                                    name=self.name,
                                    old=self.plan_id.name,
                                    new=plan.name,
                                    date=self.expiration_date,
                                ),
                            }
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        self.message_post(
            body=_(
                "Upgrade to %(plan)s requested by %(user)s: invoice %(invoice)s "
                "(%(amount)s) applies it once paid.",
                plan=plan.name,
                user=self.env.user.name,
                invoice=invoice.name,
                amount=invoice.amount_total,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return invoice

    # ------------------------------------------------------------------
    # Applying a change
    # ------------------------------------------------------------------

    def _apply_plan(self, plan, change):
        """Switch to ``plan`` now; ``write`` tells the bridge."""
        self.ensure_one()
        old = self.plan_id
        self.sudo().with_context(saas_plan_change=change).write(
            {
                "plan_id": plan.id,
                "pending_plan_id": False,
                "pending_plan_from": False,
            }
        )
        self.message_post(
            body=_(
                "Plan changed from %(old)s to %(new)s (%(change)s).",
                old=old.name,
                new=plan.name,
                change=change,
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _apply_due_pending_plan(self, day):
        """A pending downgrade applies once its period has started and is paid."""
        for instance in self.filtered("pending_plan_id"):
            start = instance.pending_plan_from
            paid = (
                instance.expiration_date and start and instance.expiration_date > start
            )
            if start and day >= start and paid:
                instance._apply_plan(instance.pending_plan_id, "downgrade")

    def _renewal_plan(self):
        return self.pending_plan_id or super()._renewal_plan()

    def _sweep_one(self, day, settings):
        self._apply_due_pending_plan(day)
        return super()._sweep_one(day, settings)

    def write(self, vals):
        if "plan_id" not in vals:
            return super().write(vals)
        before = {instance.id: instance.plan_id for instance in self}
        res = super().write(vals)
        change = self.env.context.get("saas_plan_change") or "admin"
        for instance in self:
            old = before[instance.id]
            if old == instance.plan_id or instance.state not in APPLIED_STATES:
                continue
            if instance.pending_plan_id == instance.plan_id:
                instance.sudo().write(
                    {"pending_plan_id": False, "pending_plan_from": False}
                )
            instance._enqueue_event(
                "instance.plan_changed",
                {
                    "plan_code": instance.plan_id.saas_plan_code,
                    "previous_plan_code": old.saas_plan_code,
                    "change": change if change in CHANGE_KINDS else "admin",
                },
            )
        return res

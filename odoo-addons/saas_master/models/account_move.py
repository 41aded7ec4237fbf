from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    saas_instance_ids = fields.Many2many(
        "saas.instance",
        "saas_instance_account_move_rel",
        "move_id",
        "instance_id",
        string="Instances",
        copy=False,
        readonly=True,
    )

    def _saas_plans(self):
        self.ensure_one()
        return self.invoice_line_ids.product_id.product_tmpl_id.filtered("saas_is_plan")

    def _saas_link_instances(self, create_missing=False):
        """Link customer invoices with plan lines to their instances.

        Through the sale orders first; an invoice made without an order goes to the
        partner's live instance of the plan, or (``create_missing``, when paid)
        starts a new draft instance.
        """
        Instance = self.env["saas.instance"].sudo()
        for move in self.sudo().filtered(lambda m: m.move_type == "out_invoice"):
            plans = move._saas_plans()
            if not plans:
                continue
            orders = move.invoice_line_ids.sale_line_ids.order_id
            instances = orders.saas_instance_ids | move.saas_instance_ids
            if not instances:
                for plan in plans:
                    instance = Instance._find_live_instance(move.partner_id, plan)
                    if not instance and create_missing:
                        instance = move._saas_create_instance(plan)
                    instances |= instance
            missing = instances - move.saas_instance_ids
            if missing:
                move.saas_instance_ids = [fields.Command.link(i.id) for i in missing]

    def _saas_create_instance(self, plan):
        self.ensure_one()
        return self.env["saas.instance"]._create_for(
            self.partner_id, plan, self.company_id
        )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._saas_link_instances()
        return posted

    def _invoice_paid_hook(self):
        res = super()._invoice_paid_hook()
        self._saas_on_paid()
        return res

    def _saas_is_renewal(self, instance):
        """Paying this invoice extends ``instance`` (paid before, or in a trial)."""
        self.ensure_one()
        return bool(instance.last_payment_date or instance.plan_id.saas_trial_days)

    def _saas_on_paid(self):
        """One ``invoice.paid`` per linked instance (once per invoice and instance).

        A renewal payment (the instance was paid before, or is in a trial)
        extends ``expiration_date`` by one period from the current expiry.
        """
        today = fields.Date.context_today(self)
        Event = self.env["saas.bridge.event"].sudo()
        paid = self.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.payment_state in ("paid", "in_payment")
        )
        for move in paid:
            if not move._saas_plans():
                continue
            move._saas_link_instances(create_missing=True)
            for instance in move.sudo().saas_instance_ids:
                key = "invoice.paid:%s:%s" % (move.id, instance.id)
                if Event.search_count([("dedupe_key", "=", key)], limit=1):
                    continue
                values = {"last_payment_date": today}
                if move._saas_is_renewal(instance):
                    values["expiration_date"] = instance._renewed_expiration()
                instance.write(values)
                instance._enqueue_event(
                    "invoice.paid",
                    {
                        "invoice_id": move.id,
                        "invoice_name": move.name,
                        "partner_id": move.partner_id.id,
                        "plan_code": instance.plan_id.saas_plan_code,
                        "amount": move.amount_total,
                        "currency": move.currency_id.name,
                    },
                    dedupe_key=key,
                )

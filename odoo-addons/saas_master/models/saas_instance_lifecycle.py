"""The subscription lifecycle the master decides (issue 9): the daily sweep.

The master owns dates, invoices and payments; it decides and sends outbox events,
the bridge acts on them (Docker, proxy, backups, mails). Every decision is keyed
on the period or the suspension it belongs to, so running the sweep twice for the
same day does nothing the second time, and a sweep "as of" a future day behaves
as that day would: the grace period counts from the day the sweep decided the
suspension (recorded here), never from a clock of the bridge.
"""

import json
from datetime import date, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

# "sleeping" (hibernated) tenants are running as far as the subscription goes.
RUNNING_STATES = ("running", "sleeping")
SWEPT_STATES = RUNNING_STATES + ("suspended",)
DELETION_WARNING_DAYS = 7
SWEEP_REQUESTER = "lifecycle-sweep"
SETTINGS = {
    # key: (system parameter, default)
    "reminder_days": ("saas_master.reminder_days", 7),
    "trial_reminder_days": ("saas_master.trial_reminder_days", 3),
    "grace_days": ("saas_master.grace_days", 30),
}
SUBSCRIPTION_STATES = [
    ("trial", "Trial"),
    ("active", "Active"),
    ("expiring", "Expiring soon"),
    ("suspended", "Suspended"),
    ("terminated", "Terminated"),
]


def parse_as_of(value, today):
    """``value`` (ISO date string, date, or False for ``today``) as a date."""
    if not value:
        return today
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise UserError(
        _("“%(value)s” is not a date: use YYYY-MM-DD, e.g. 2026-12-31.", value=value)
    )


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    subscription_state = fields.Selection(
        SUBSCRIPTION_STATES, compute="_compute_subscription_state"
    )
    subscription_label = fields.Char(
        string="Subscription", compute="_compute_subscription_state"
    )
    trial_days_left = fields.Integer(compute="_compute_subscription_state")
    next_due_date = fields.Date(
        compute="_compute_subscription_state",
        help="When the next payment is due (the expiry), if the subscription goes on.",
    )
    is_trial = fields.Boolean(
        string="Started as a free trial",
        copy=False,
        readonly=True,
        help="Started from “Start free trial” (one trial per customer and plan).",
    )
    cancel_at_period_end = fields.Boolean(
        string="Cancelled by the customer",
        copy=False,
        tracking=True,
        help="No renewal invoice: the instance runs until its expiry, "
        "then is suspended and, after the grace period, deleted.",
    )
    suspension_decided_on = fields.Date(
        copy=False,
        readonly=True,
        help="Day the lifecycle sweep decided to suspend this expired instance; "
        "the grace period before deletion counts from it.",
    )
    deletion_warned_on = fields.Date(copy=False, readonly=True)
    deletion_date = fields.Date(
        compute="_compute_deletion_date",
        help="Day the data will be deleted if the instance is not paid for.",
    )
    renewal_invoice_ids = fields.One2many(
        "account.move", "saas_renewal_instance_id", string="Renewal invoices"
    )

    # ------------------------------------------------------------------
    # Settings and computed subscription state
    # ------------------------------------------------------------------

    @api.model
    def _lifecycle_settings(self):
        """The sweep's settings (whole days >= 0; a bad value falls back)."""
        params = self.env["ir.config_parameter"].sudo()
        values = {}
        for name, (key, default) in SETTINGS.items():
            try:
                value = int(params.get_param(key, default))
            except (TypeError, ValueError):
                value = default
            values[name] = value if value >= 0 else default
        return values

    def _is_in_trial(self):
        self.ensure_one()
        return bool(self.plan_id.saas_trial_days) and not self.last_payment_date

    def _reminder_lead_days(self, settings=None):
        self.ensure_one()
        settings = settings or self._lifecycle_settings()
        if self._is_in_trial():
            return settings["trial_reminder_days"]
        return settings["reminder_days"]

    @api.depends(
        "state",
        "expiration_date",
        "last_payment_date",
        "cancel_at_period_end",
        "plan_id.saas_trial_days",
    )
    # the label is text in the reader's language: without "lang" here, a record read in
    # English first keeps its English label for a Spanish reader in the same transaction
    @api.depends_context("lifecycle_today", "lang")
    def _compute_subscription_state(self):
        today = self._lifecycle_today()
        settings = self._lifecycle_settings()
        labels = dict(
            self._fields["subscription_state"]._description_selection(self.env)
        )
        for instance in self:
            expiry = instance.expiration_date
            days_left = (expiry - today).days if expiry else 0
            if instance.state in ("terminating", "terminated"):
                status = "terminated"
            elif instance.state == "suspended":
                status = "suspended"
            elif instance._is_in_trial():
                status = "trial"
            elif expiry and days_left <= instance._reminder_lead_days(settings):
                status = "expiring"
            else:
                status = "active"
            instance.subscription_state = status
            instance.trial_days_left = max(days_left, 0) if status == "trial" else 0
            if status == "trial":
                instance.subscription_label = _(
                    "Trial (%(days)s days left)", days=instance.trial_days_left
                )
            else:
                instance.subscription_label = labels[status]
            instance.next_due_date = (
                expiry
                if expiry
                and status != "terminated"
                and not instance.cancel_at_period_end
                else False
            )

    @api.depends("suspension_decided_on", "deletion_warned_on")
    def _compute_deletion_date(self):
        grace = self._lifecycle_settings()["grace_days"]
        for instance in self:
            instance.deletion_date = instance._purge_date(grace)

    def _purge_date(self, grace):
        """End of the grace; never less than a week after the deletion warning."""
        self.ensure_one()
        if not self.suspension_decided_on:
            return False
        end = self.suspension_decided_on + timedelta(days=grace)
        if self.deletion_warned_on:
            end = max(
                end, self.deletion_warned_on + timedelta(days=DELETION_WARNING_DAYS)
            )
        return end

    @api.model
    def _lifecycle_today(self):
        value = self.env.context.get("lifecycle_today")
        return parse_as_of(value, fields.Date.context_today(self))

    # ------------------------------------------------------------------
    # The sweep
    # ------------------------------------------------------------------

    @api.model
    def run_lifecycle_sweep(self, as_of=False):
        """Run the daily lifecycle sweep as of ``as_of`` (ISO date, or false: today).

        Public (JSON-RPC ``execute_kw``), SaaS managers only. Returns
        ``{"as_of", "run_id", "instances": [{"instance_id", "subdomain",
        "actions": [{"action", ...}]}]}`` with the instances it acted on.
        """
        if not (
            self.env.su or self.env.user.has_group("saas_master.group_saas_manager")
        ):
            raise AccessError(_("Only SaaS managers can run the lifecycle sweep."))
        day = parse_as_of(as_of, fields.Date.context_today(self))
        # one sweep at a time (cron, wizard, RPC): a second one could not see the
        # first one's invoices before it commits, so it stops instead of waiting
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext('saas_lifecycle_sweep'))"
        )
        if not self.env.cr.fetchone()[0]:
            raise UserError(
                _("The lifecycle sweep is already running; try again in a minute.")
            )
        settings = self._lifecycle_settings()
        instances = self.sudo().search(
            [("state", "in", SWEPT_STATES), ("expiration_date", "!=", False)],
            order="id",
        )
        rows = []
        for instance in instances:
            actions = instance._sweep_one(day, settings)
            if actions:
                rows.append(
                    {
                        "instance_id": instance.id,
                        "subdomain": instance.subdomain,
                        "actions": actions,
                    }
                )
        rows += self._sweep_final_backups(day)
        result = {"as_of": day.isoformat(), "instances": rows}
        run = (
            self.env["saas.lifecycle.run"]
            .sudo()
            .create(
                {
                    "as_of": day,
                    "user_id": self.env.uid,
                    "instance_count": len(rows),
                    "action_count": sum(len(r["actions"]) for r in rows),
                    "result": json.dumps(result, sort_keys=True),
                }
            )
        )
        result["run_id"] = run.id
        return result

    @api.model
    def _cron_lifecycle_sweep(self):
        return self.run_lifecycle_sweep(False)

    def _sweep_one(self, day, settings):
        """Decide for one instance as of ``day``; the list of what was done."""
        self.ensure_one()
        actions = []
        expiry = self.expiration_date
        if self.suspension_decided_on:
            if self.state == "suspended":
                actions += self._sweep_grace(day, settings)
            return actions
        lead = self._reminder_lead_days(settings)
        if not self.cancel_at_period_end and day >= expiry - timedelta(days=lead):
            invoice, created = self._ensure_renewal_invoice(day)
            if created:
                actions.append(
                    {
                        "action": "renewal_invoice",
                        "invoice_id": invoice.id,
                        "invoice_name": invoice.name,
                    }
                )
            if (
                self.state in RUNNING_STATES
                and day <= expiry
                and invoice.payment_state in ("not_paid", "partial")
            ):
                for action in (
                    self._send_reminder(invoice, day),
                    self._sweep_auto_charge(invoice, day),
                ):
                    if action:
                        actions.append(action)
        if self.state in RUNNING_STATES and day > expiry:
            actions.append(self._decide_suspension(day))
        return actions

    def _send_reminder(self, invoice, day):
        key = "instance.reminder:%s:%s" % (self.id, self.expiration_date)
        if self._event_exists(key):
            return None
        data = dict(
            self._invoice_data(invoice),
            due_date=self.expiration_date.isoformat(),
            days_left=(self.expiration_date - day).days,
            trial=self._is_in_trial(),
        )
        self._enqueue_event("instance.reminder", data, dedupe_key=key)
        self._lifecycle_note(
            day,
            _(
                "reminder sent, renewal invoice %(invoice)s due on %(date)s.",
                invoice=invoice.name,
                date=self.expiration_date,
            ),
        )
        return {"action": "reminder", "invoice_id": invoice.id}

    def _decide_suspension(self, day):
        key = "instance.suspend:expired:%s:%s" % (self.id, self.expiration_date)
        data = {
            "requested_by": SWEEP_REQUESTER,
            "reason": "expired",
            "expired_on": self.expiration_date.isoformat(),
            "cancelled": self.cancel_at_period_end,
        }
        invoice = self._open_renewal_invoice()
        if invoice:
            data.update(self._invoice_data(invoice))
        self.write({"suspension_decided_on": day, "deletion_warned_on": False})
        self._enqueue_event("instance.suspend", data, dedupe_key=key)
        self._lifecycle_note(
            day,
            _(
                "expired on %(date)s and unpaid: suspension requested.",
                date=data["expired_on"],
            ),
        )
        return {"action": "suspend", "reason": "expired"}

    def _sweep_grace(self, day, settings):
        decided = self.suspension_decided_on
        end = self._purge_date(settings["grace_days"])
        if day >= end - timedelta(days=DELETION_WARNING_DAYS) and not (
            self.deletion_warned_on
        ):
            self.deletion_warned_on = day
            end = self._purge_date(settings["grace_days"])
            data = {
                "deletion_date": end.isoformat(),
                "suspended_on": decided.isoformat(),
            }
            invoice = self._open_renewal_invoice()
            if invoice:
                data.update(self._invoice_data(invoice))
            self._enqueue_event(
                "instance.deletion_warning",
                data,
                dedupe_key="instance.deletion_warning:%s:%s" % (self.id, decided),
            )
            self._lifecycle_note(
                day,
                _("deletion warning sent: data deleted on %(date)s.", date=end),
            )
            return [{"action": "deletion_warning", "deletion_date": end.isoformat()}]
        key = "instance.terminate:purge:%s:%s" % (self.id, decided)
        if day >= end and not self._event_exists(key):
            self._enqueue_event(
                "instance.terminate",
                {
                    "requested_by": SWEEP_REQUESTER,
                    "reason": "unpaid",
                    "purge": True,
                    "suspended_on": decided.isoformat(),
                },
                dedupe_key=key,
            )
            self._lifecycle_note(
                day, _("suspended since %(date)s: deletion requested.", date=decided)
            )
            return [{"action": "terminate", "purge": True}]
        return []

    def _event_exists(self, key):
        return bool(
            self.env["saas.bridge.event"]
            .sudo()
            .search_count([("dedupe_key", "=", key)], limit=1)
        )

    def _lifecycle_note(self, day, text):
        self.message_post(
            body=_("Lifecycle sweep as of %(date)s: %(text)s", date=day, text=text),
            subtype_xmlid="mail.mt_note",
        )

    # ------------------------------------------------------------------
    # Renewal invoices
    # ------------------------------------------------------------------

    def _renewal_invoice(self):
        """The renewal invoice of the current period (not cancelled), if any."""
        self.ensure_one()
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("saas_renewal_instance_id", "=", self.id),
                    ("saas_renewal_period_end", "=", self.expiration_date),
                    ("state", "!=", "cancel"),
                ],
                limit=1,
            )
        )

    def _open_renewal_invoice(self):
        invoice = self._renewal_invoice()
        if invoice.state == "posted" and invoice.payment_state in (
            "not_paid",
            "partial",
        ):
            return invoice
        return invoice.browse()

    def _ensure_renewal_invoice(self, day):
        """The period's renewal invoice, created and posted once; (invoice, created)."""
        self.ensure_one()
        invoice = self._renewal_invoice()
        if invoice:
            return invoice, False
        plan = self._renewal_plan()
        invoice = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "invoice_date": day,
                    "invoice_date_due": max(self.expiration_date, day),
                    "invoice_origin": self.subdomain,
                    "saas_renewal_instance_id": self.id,
                    "saas_renewal_period_end": self.expiration_date,
                    "saas_instance_ids": [fields.Command.link(self.id)],
                    "invoice_line_ids": [
                        fields.Command.create(
                            {"product_id": plan.product_variant_id.id, "quantity": 1}
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        self._lifecycle_note(
            day, _("renewal invoice %(invoice)s created.", invoice=invoice.name)
        )
        return invoice, True

    def _renewal_plan(self):
        """The plan the next period is invoiced for (a pending downgrade's)."""
        self.ensure_one()
        return self.plan_id

    def _invoice_data(self, invoice):
        return {
            "invoice_id": invoice.id,
            "invoice_name": invoice.name,
            "amount": invoice.amount_residual,
            "currency": invoice.currency_id.name,
            "pay_url": invoice.get_base_url() + invoice.get_portal_url(),
        }

    # ------------------------------------------------------------------
    # The same customer buying their own held subdomain again
    # ------------------------------------------------------------------

    @api.model
    def _own_held_subdomain_error(self, subdomain, partner, instance=None):
        """Why the buyer's own instance keeps ``subdomain`` from a new order, or False.

        Terminated but not purged: the subdomain is free again only once the data
        is deleted. Suspended with an open renewal invoice: paying that invoice
        brings the instance back with its data; a new order would bill twice.
        """
        commercial = partner.commercial_partner_id
        domain = [
            ("subdomain", "=", subdomain),
            ("subdomain_released", "=", False),
            ("partner_id", "child_of", commercial.id),
            ("state", "in", ("terminated", "terminating", "suspended")),
        ]
        if instance and instance.id:
            domain.append(("id", "!=", instance.id))
        own = self.sudo().with_context(active_test=False).search(domain, limit=1)
        if not own:
            return False
        if own.state != "suspended":
            return _(
                "“%(value)s” is still held by your terminated instance until its data"
                " is deleted (its final backup stays available to you). That is"
                " usually done within minutes; please try again later or choose"
                " another subdomain.",
                value=subdomain,
            )
        invoice = own._open_renewal_invoice()
        if not invoice:
            return False  # nothing open to pay: this order renews it
        message = _(
            "“%(value)s” is your suspended instance. To bring it back with all"
            " your data, pay its renewal invoice %(invoice)s (%(amount)s) under My"
            " Account > Invoices; no new order is needed.",
            value=subdomain,
            invoice=invoice.name,
            amount="%.2f %s" % (invoice.amount_residual, invoice.currency_id.name),
        )
        if own.deletion_date:
            message += " " + _("It is kept until %(date)s.", date=own.deletion_date)
        return message

    def bridge_pay_url(self, invoice_id):
        """The portal pay link (with its access token) of this instance's open invoice.

        The bridge asks when it sends a mail, so the token is never kept in its job
        data. False when the invoice is paid, cancelled or not this instance's.
        """
        self.ensure_one()
        if not (
            self.env.user.has_group("saas_master.group_saas_bridge")
            or self.env.is_system()
        ):
            raise AccessError(_("Only the SaaS bridge may ask for pay links."))
        if not isinstance(invoice_id, int) or isinstance(invoice_id, bool):
            raise UserError(_("The invoice id must be an integer."))
        invoice = self.env["account.move"].sudo().browse(invoice_id).exists()
        if not invoice or invoice.move_type != "out_invoice":
            return False
        if (
            self.id
            not in (invoice.saas_renewal_instance_id | invoice.saas_instance_ids).ids
        ):
            return False
        if invoice.state != "posted" or invoice.payment_state not in (
            "not_paid",
            "partial",
        ):
            return False
        return invoice.get_base_url() + invoice.get_portal_url()

    # ------------------------------------------------------------------
    # A renewal or a reactivation ends the suspension decision
    # ------------------------------------------------------------------

    def write(self, vals):
        if "state" not in vals and "expiration_date" not in vals:
            return super().write(vals)
        before = {i.id: (i.state, i.expiration_date) for i in self}
        res = super().write(vals)
        for instance in self.filtered("suspension_decided_on"):
            old_state, old_expiry = before[instance.id]
            renewed = (
                old_expiry
                and instance.expiration_date
                and instance.expiration_date > old_expiry
            )
            reactivated = old_state == "suspended" and instance.state in RUNNING_STATES
            if renewed or reactivated:
                instance.write(
                    {"suspension_decided_on": False, "deletion_warned_on": False}
                )
        return res

    def action_open_terminate_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Terminate %s", self.name),
            "res_model": "saas.instance.terminate.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_instance_id": self.id},
        }

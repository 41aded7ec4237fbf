"""What the customer does with a subscription: cancel (and undo), start a trial;
and the temporary password's lifetime."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

PASSWORD_LIFETIME_DAYS = 7


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    # ------------------------------------------------------------------
    # Cancellation: runs until the expiry, then the unpaid path
    # ------------------------------------------------------------------

    def _can_cancel_subscription(self):
        self.ensure_one()
        return (
            not self.cancel_at_period_end
            and self.state not in ("terminating", "terminated")
            and not self.suspension_decided_on
        )

    def _can_undo_cancellation(self):
        self.ensure_one()
        today = fields.Date.context_today(self)
        return (
            self.cancel_at_period_end
            and not self.suspension_decided_on
            and self.state not in ("suspended", "terminating", "terminated")
            and (not self.expiration_date or today <= self.expiration_date)
        )

    def action_cancel_subscription(self):
        """Stop renewing: no renewal invoice; the open one is cancelled."""
        for instance in self:
            if not instance._can_cancel_subscription():
                raise UserError(
                    _(
                        "The subscription of %(name)s cannot be cancelled now.",
                        name=instance.name,
                    )
                )
            instance.cancel_at_period_end = True
            # a partly paid invoice keeps its payment: left to the accountant
            instance.renewal_invoice_ids.filtered(
                lambda m: m.state == "posted" and m.payment_state == "not_paid"
            ).sudo().button_cancel()
            instance.message_post(
                body=_(
                    "Subscription cancelled by %(user)s: the instance runs until "
                    "%(date)s, then it is suspended.",
                    user=self.env.user.name,
                    date=instance.expiration_date,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_undo_cancellation(self):
        for instance in self:
            if not instance._can_undo_cancellation():
                raise UserError(
                    _(
                        "The cancellation of %(name)s can no longer be undone.",
                        name=instance.name,
                    )
                )
            instance.cancel_at_period_end = False
            instance.message_post(
                body=_("Cancellation undone by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        return True

    # ------------------------------------------------------------------
    # Trials: one per customer and plan, provisioned at once
    # ------------------------------------------------------------------

    @api.model
    def _trial_error(self, partner, plan):
        """Why ``partner`` cannot start a trial of ``plan``, or False."""
        if not plan.saas_is_plan or not plan.saas_trial_days or not plan.sale_ok:
            return _("This plan has no free trial.")
        commercial = partner.commercial_partner_id
        used = (
            self.sudo()
            .with_context(active_test=False)
            .search_count(
                [
                    ("partner_id", "child_of", commercial.id),
                    ("plan_id", "=", plan.id),
                    ("is_trial", "=", True),
                ],
                limit=1,
            )
        )
        if used:
            return _(
                "You have already used your free trial of %(plan)s.", plan=plan.name
            )
        return False

    @api.model
    def _start_trial(self, partner, plan, subdomain):
        """A trial instance, provisioned at once (no order, no payment).

        The bridge provisions a draft instance on ``instance.retry``: a trial has
        no order for ``order.confirmed`` and no invoice for ``invoice.paid``.
        """
        error = self._trial_error(partner, plan)
        if not error:
            error = self._subdomain_error(subdomain, partner=partner)
            if not error and self.sudo().search_count(
                [("subdomain", "=", subdomain), ("state", "!=", "terminated")],
                limit=1,
            ):
                error = _(
                    "“%(value)s” is already taken, please choose another one.",
                    value=subdomain,
                )
        if error:
            raise UserError(error)
        instance = self._create_for(partner, plan, self.env.company, subdomain)
        instance.is_trial = True
        instance._enqueue_event(
            "instance.retry",
            {"requested_by": self.env.user.login, "reason": "trial"},
            dedupe_key="trial:%s" % instance.id,
        )
        instance.message_post(
            body=_(
                "Free trial of %(days)s days started by %(user)s.",
                days=plan.saas_trial_days,
                user=self.env.user.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return instance

    # ------------------------------------------------------------------
    # Temporary password: shown once when running, gone after a week
    # ------------------------------------------------------------------

    def _take_initial_password(self):
        """The temporary password to show the owner now (then cleared), or False.

        Only once the instance runs: a password shown earlier would be lost when a
        retry of the provisioning sets a new one.
        """
        self.ensure_one()
        instance = self.sudo()
        if instance.state != "running" or not instance.initial_password:
            return False
        password = instance.initial_password
        instance.initial_password = False
        return password

    @api.model
    def _cron_clear_initial_passwords(self):
        limit = fields.Datetime.now() - timedelta(days=PASSWORD_LIFETIME_DAYS)
        stale = self.sudo().search(
            [("initial_password", "!=", False), ("provisioned_at", "<=", limit)]
        )
        stale.write({"initial_password": False})
        return len(stale)

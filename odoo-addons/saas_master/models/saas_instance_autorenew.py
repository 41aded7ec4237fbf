"""Auto-renewal: the open renewal invoice is charged with the customer's saved
payment method (Odoo's payment tokens), a few times before the expiry.

The customer saves a payment method at checkout or in the portal (Odoo's own
"Payment methods" page, where it can also be removed); the sweep charges the
renewal invoice from ``AUTO_CHARGE_DAYS`` days before the expiry, once a day, up
to ``AUTO_CHARGE_ATTEMPTS`` times. A successful charge pays the invoice through
Odoo's payment flow, so the usual ``invoice.paid`` path renews the instance; a
failed one sends ``instance.charge_failed`` (the bridge mails it).
"""

import logging
from datetime import timedelta

from odoo import _, fields, models

_logger = logging.getLogger(__name__)

AUTO_CHARGE_DAYS = 2  # first try this many days before the expiry
AUTO_CHARGE_ATTEMPTS = 3


class AccountMove(models.Model):
    _inherit = "account.move"

    saas_charge_attempts = fields.Integer(
        string="Automatic charges tried", copy=False, readonly=True
    )
    saas_last_charge_on = fields.Date(copy=False, readonly=True)


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    def _auto_renew_token(self):
        """The customer's most recent saved payment method that can be charged."""
        self.ensure_one()
        commercial = self.partner_id.commercial_partner_id
        return (
            self.env["payment.token"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", commercial.id),
                    ("active", "=", True),
                    ("provider_id.state", "in", ("enabled", "test")),
                    ("provider_id.company_id", "in", (False, self.company_id.id)),
                ],
                order="id desc",
                limit=1,
            )
        )

    def _sweep_auto_charge(self, invoice, day):
        """Charge ``invoice`` with the saved token if due today; the action or None."""
        self.ensure_one()
        expiry = self.expiration_date
        if (
            not invoice
            or day < expiry - timedelta(days=AUTO_CHARGE_DAYS)
            or day > expiry
            or invoice.saas_charge_attempts >= AUTO_CHARGE_ATTEMPTS
            or (invoice.saas_last_charge_on and invoice.saas_last_charge_on >= day)
        ):
            return None
        token = self._auto_renew_token()
        if not token:
            return None
        attempt = invoice.saas_charge_attempts + 1
        invoice.write({"saas_charge_attempts": attempt, "saas_last_charge_on": day})
        tx = self._charge_invoice(invoice, token)
        if tx.state == "done":
            tx._finalize_post_processing()
            self._lifecycle_note(
                day,
                _(
                    "renewal invoice %(invoice)s paid with the saved payment method.",
                    invoice=invoice.name,
                ),
            )
            return {"action": "auto_charge", "ok": True, "invoice_id": invoice.id}
        error = tx.state_message or _("The payment was refused.")
        data = dict(
            self._invoice_data(invoice),
            attempt=attempt,
            attempts_left=AUTO_CHARGE_ATTEMPTS - attempt,
            error=error[:500],
            due_date=expiry.isoformat(),
        )
        self._enqueue_event(
            "instance.charge_failed",
            data,
            dedupe_key="instance.charge_failed:%s:%s" % (invoice.id, attempt),
        )
        self._lifecycle_note(
            day,
            _(
                "automatic charge %(attempt)s of %(invoice)s failed: %(error)s",
                attempt=attempt,
                invoice=invoice.name,
                error=error,
            ),
        )
        return {"action": "auto_charge", "ok": False, "attempt": attempt}

    def _charge_invoice(self, invoice, token):
        Transaction = self.env["payment.transaction"].sudo()
        tx = Transaction.create(
            {
                "provider_id": token.provider_id.id,
                "payment_method_id": token.payment_method_id.id,
                "reference": Transaction._compute_reference(
                    token.provider_id.code, prefix=invoice.name
                ),
                "amount": invoice.amount_residual,
                "currency_id": invoice.currency_id.id,
                "partner_id": invoice.partner_id.id,
                "token_id": token.id,
                "operation": "offline",
                "invoice_ids": [fields.Command.set(invoice.ids)],
            }
        )
        try:
            with self.env.cr.savepoint():
                tx._send_payment_request()
        except Exception as exc:  # pylint: disable=broad-except
            # a provider's error must not stop the sweep of the other instances
            _logger.warning("saas: charge of %s failed: %s", invoice.name, exc)
            tx._set_error(str(exc))
        return tx

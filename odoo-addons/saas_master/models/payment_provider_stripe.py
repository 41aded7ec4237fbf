"""Odoo's own Stripe provider (payment_stripe) configured from the environment.

Only writes the provider: nothing here talks to Stripe (Odoo does that when a
customer pays, and for the webhook Stripe calls /payment/stripe/webhook).
"""

from odoo import api, models

from ..lib.stripe_keys import stripe_settings


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    @api.model
    def _saas_configure_stripe(self, environ):
        """Stripe enabled (live keys) or in test mode (test keys), published; with
        live keys the demo provider is disabled, so no one "pays" with fake cards.
        Returns what was done, for the stack's log. Without keys nothing changes."""
        values = stripe_settings(environ)
        if values is None:
            return "no Stripe keys: demo payments only"
        stripe = self.env.ref(
            "payment.payment_provider_stripe", raise_if_not_found=False
        )
        if not stripe or "stripe_secret_key" not in stripe._fields:
            return "Stripe keys set but payment_stripe is not installed"
        stripe.write(dict(values, is_published=True))
        done = "Stripe %s" % ("live" if values["state"] == "enabled" else "test mode")
        if values["state"] == "enabled":
            demo = self.env.ref(
                "payment.payment_provider_demo", raise_if_not_found=False
            )
            if demo:
                demo.write({"state": "disabled", "is_published": False})
                done += ", demo provider disabled"
        return done

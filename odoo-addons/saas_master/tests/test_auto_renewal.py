import json
from datetime import timedelta
from unittest import SkipTest

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestAutoRenewal(SaasCase):
    """The renewal invoice charged with a saved token of the demo provider."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        demo = cls.env["ir.module.module"].search([("name", "=", "payment_demo")])
        if demo.state != "installed":
            raise SkipTest("payment_demo is not installed")
        cls.today = fields.Date.context_today(cls.Instance)
        cls.expiry = cls.today + timedelta(days=10)
        cls.instance = cls._instance(
            cls.customer,
            "acme",
            state="running",
            last_payment_date=cls.today - timedelta(days=20),
            expiration_date=cls.expiry,
        )
        cls.provider = cls.env.ref("payment.payment_provider_demo")
        journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.provider.write(
            {"state": "test", "allow_tokenization": True, "journal_id": journal.id}
        )

    def _token(self, simulated_state):
        return self.env["payment.token"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref(
                    "payment_demo.payment_method_demo"
                ).id,
                "partner_id": self.customer.id,
                "provider_ref": "demo-ref",
                "payment_details": "4242",
                "demo_simulated_state": simulated_state,
            }
        )

    def _sweep(self, day):
        result = self.Instance.run_lifecycle_sweep(fields.Date.to_string(day))
        for row in result["instances"]:
            if row["instance_id"] == self.instance.id:
                return row["actions"]
        return []

    def test_charged_on_its_day_and_renewed(self):
        self._token("done")
        self._sweep(self.expiry - timedelta(days=7))
        invoice = self.instance.renewal_invoice_ids
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(self._sweep(self.expiry - timedelta(days=3)), [])
        actions = self._sweep(self.expiry - timedelta(days=2))
        self.assertEqual(
            actions, [{"action": "auto_charge", "ok": True, "invoice_id": invoice.id}]
        )
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(
            self.instance.expiration_date, self.expiry + relativedelta(months=1)
        )
        self.assertEqual(len(self._events("invoice.paid", self.instance)), 1)
        self.assertEqual(self._sweep(self.expiry + timedelta(days=1)), [])

    def test_failed_charge_retried_then_suspended(self):
        self._token("error")
        self._sweep(self.expiry - timedelta(days=7))
        invoice = self.instance.renewal_invoice_ids
        for offset, attempt in ((2, 1), (1, 2), (0, 3)):
            day = self.expiry - timedelta(days=offset)
            self.assertEqual(
                self._sweep(day),
                [{"action": "auto_charge", "ok": False, "attempt": attempt}],
            )
            self.assertEqual(self._sweep(day), [])  # once a day
        events = self._events("instance.charge_failed", self.instance)
        self.assertEqual(len(events), 3)
        data = json.loads(events[0].payload)["data"]  # newest first
        self.assertEqual((data["attempt"], data["attempts_left"]), (3, 0))
        self.assertIn("pay_url", data)
        self.assertTrue(data["error"])
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(
            [a["action"] for a in self._sweep(self.expiry + timedelta(days=1))],
            ["suspend"],
        )

    def test_no_token_no_charge(self):
        self._sweep(self.expiry - timedelta(days=7))
        self.assertEqual(self._sweep(self.expiry - timedelta(days=2)), [])
        self.assertFalse(
            self.env["payment.transaction"].search(
                [("invoice_ids", "in", self.instance.renewal_invoice_ids.ids)]
            )
        )

    def test_removed_token_is_not_charged(self):
        self._token("done").action_archive()
        self._sweep(self.expiry - timedelta(days=7))
        self.assertEqual(self._sweep(self.expiry - timedelta(days=2)), [])

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestBridgePayUrl(SaasCase):
    """The bridge reads a mail's pay link when it sends it (its jobs keep no token)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.Instance)
        cls.instance = cls._instance(
            cls.customer,
            "acme-pay",
            state="running",
            last_payment_date=today - timedelta(days=20),
            expiration_date=today + timedelta(days=5),
        )
        cls.other = cls._instance(cls.other_customer, "globex-pay", state="running")
        cls.Instance.run_lifecycle_sweep(fields.Date.to_string(today))
        cls.invoice = cls.instance.renewal_invoice_ids
        cls.bridge = cls.env.ref("saas_master.user_saas_bridge")

    def test_open_invoice_link_with_its_token(self):
        url = self.instance.with_user(self.bridge).bridge_pay_url(self.invoice.id)
        self.assertIn(
            "/my/invoices/%s?access_token=%s"
            % (self.invoice.id, self.invoice.access_token),
            url,
        )
        self.assertTrue(url.startswith("http"))

    def test_no_link_for_another_instance_or_a_paid_invoice(self):
        as_bridge = self.Instance.with_user(self.bridge)
        self.assertFalse(
            as_bridge.browse(self.other.id).bridge_pay_url(self.invoice.id)
        )
        self.assertFalse(as_bridge.browse(self.instance.id).bridge_pay_url(999999))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({})._create_payments()
        self.assertFalse(
            as_bridge.browse(self.instance.id).bridge_pay_url(self.invoice.id)
        )

    def test_bridge_only(self):
        portal = self._portal_user("acme_pay_portal", self.customer)
        with self.assertRaises(AccessError):
            self.instance.with_user(portal).bridge_pay_url(self.invoice.id)

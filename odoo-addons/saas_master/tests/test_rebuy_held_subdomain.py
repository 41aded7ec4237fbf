from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestRebuyHeldSubdomain(SaasCase):
    """A customer buying again the subdomain their own held instance still has."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.Instance)

    def _suspended_with_invoice(self, subdomain):
        expiry = self.today + timedelta(days=3)
        instance = self._instance(
            self.customer,
            subdomain,
            state="running",
            last_payment_date=self.today - timedelta(days=27),
            expiration_date=expiry,
        )
        day = expiry + timedelta(days=1)
        self.Instance.run_lifecycle_sweep(fields.Date.to_string(day))
        instance.state = "suspended"  # what the bridge writes back
        return instance

    def test_terminated_not_purged_is_refused_with_the_reason(self):
        old = self._instance(self.customer, "acme-end", state="running")
        old.state = "terminated"
        error = self.Instance._subdomain_error("acme-end", partner=self.customer)
        self.assertIn("still held by your terminated instance", error)
        order = self._order(self.customer, self.plan_basic, "acme-end")
        with self.assertRaisesRegex(ValidationError, "until its data is deleted"):
            order._check_cart_is_ready_to_be_paid()
        # another customer is told only that it is taken
        self.assertIn(
            "already taken",
            self.Instance._subdomain_error("acme-end", partner=self.other_customer),
        )

    def test_confirmed_anyway_gets_a_free_subdomain_not_a_db_error(self):
        old = self._instance(self.customer, "acme-late", state="running")
        old.state = "terminated"
        order = self._confirmed_order(self.customer, self.plan_basic, "acme-late")
        self.assertEqual(order.saas_instance_ids.subdomain, "acme-late-2")
        self.assertNotEqual(order.saas_instance_ids, old)

    def test_purged_it_is_theirs_again(self):
        old = self._instance(self.customer, "acme-back", state="running")
        old.write({"state": "terminated", "purged_at": fields.Datetime.now()})
        self.assertFalse(
            self.Instance._subdomain_error("acme-back", partner=self.customer)
        )
        order = self._confirmed_order(self.customer, self.plan_basic, "acme-back")
        self.assertEqual(order.saas_instance_ids.subdomain, "acme-back")
        self.assertNotEqual(order.saas_instance_ids, old)

    def test_suspended_with_open_invoice_points_to_the_invoice(self):
        instance = self._suspended_with_invoice("acme-paus")
        invoice = instance._open_renewal_invoice()
        self.assertTrue(invoice)
        error = self.Instance._subdomain_error("acme-paus", partner=self.customer)
        self.assertIn("is your suspended instance", error)
        self.assertIn(invoice.name, error)
        self.assertIn("kept until %s" % instance.deletion_date, error)
        # the checkout proposes the customer's own subdomain for the same plan, and
        # stops there instead of billing the period twice
        order = self._order(self.customer, self.plan_basic)
        order._saas_ensure_subdomain()
        self.assertEqual(order.saas_subdomain, "acme-paus")
        with self.assertRaisesRegex(ValidationError, invoice.name):
            order._check_cart_is_ready_to_be_paid()

    def test_suspended_without_open_invoice_renews_through_the_order(self):
        instance = self._instance(self.customer, "acme-hold", state="suspended")
        self.assertFalse(
            self.Instance._subdomain_error("acme-hold", partner=self.customer)
        )
        order = self._confirmed_order(self.customer, self.plan_basic, "acme-hold")
        self.assertEqual(order.saas_instance_ids, instance)

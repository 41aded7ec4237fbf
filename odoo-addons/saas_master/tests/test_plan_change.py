import json
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestPlanChange(SaasCase):
    """Upgrades apply at once once paid pro rata, downgrades from the next period."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.Instance)
        cls.expiry = cls.today + timedelta(days=15)
        cls.instance = cls._instance(
            cls.customer,
            "acme",
            state="running",
            provisioned_at=fields.Datetime.now(),
            last_payment_date=cls.today - timedelta(days=15),
            expiration_date=cls.expiry,
        )

    def _pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()

    def _plan_events(self):
        return [
            json.loads(e.payload)["data"]
            for e in self._events("instance.plan_changed", self.instance)
        ]

    def test_upgrade_invoices_the_rest_of_the_period(self):
        result = self.instance.request_plan_change(self.plan_pro.id)
        self.assertEqual(result["kind"], "upgrade")
        invoice = self.env["account.move"].browse(result["invoice_id"])
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.saas_plan_change_plan_id, self.plan_pro)
        # (39 - 10) a month, for the 15 days left of the month
        start = self.expiry - relativedelta(months=1)
        expected = round(29.0 * 15 / (self.expiry - start).days, 2)
        self.assertAlmostEqual(invoice.amount_total, expected, places=2)
        # nothing changes before payment
        self.assertEqual(self.instance.plan_id, self.plan_basic)
        self.assertFalse(self._plan_events())

    def test_paid_upgrade_applies_at_once_without_extending_the_expiry(self):
        result = self.instance.request_plan_change(self.plan_pro.id)
        invoice = self.env["account.move"].browse(result["invoice_id"])
        self._pay(invoice)
        self.assertEqual(self.instance.plan_id, self.plan_pro)
        self.assertEqual(self.instance.expiration_date, self.expiry)
        self.assertEqual(
            self._plan_events(),
            [{"plan_code": "pro", "previous_plan_code": "basic", "change": "upgrade"}],
        )
        # a plan-change invoice is no period payment: no invoice.paid, no renewal mail
        self.assertFalse(self._events("invoice.paid", self.instance))

    def test_choosing_again_reuses_or_replaces_the_open_invoice(self):
        first = self.instance.request_plan_change(self.plan_pro.id)["invoice_id"]
        again = self.instance.request_plan_change(self.plan_pro.id)["invoice_id"]
        self.assertEqual(first, again)
        enterprise = self.env.ref("saas_master.product_plan_enterprise")
        other = self.instance.request_plan_change(enterprise.id)["invoice_id"]
        self.assertNotEqual(other, first)
        self.assertEqual(self.env["account.move"].browse(first).state, "cancel")

    def test_downgrade_is_pending_until_the_next_period(self):
        self.instance.plan_id = self.plan_pro
        self.Event.search([]).unlink()
        self.instance.usage_users = 2
        result = self.instance.request_plan_change(self.plan_basic.id)
        self.assertEqual((result["kind"], result["invoice_id"]), ("downgrade", False))
        self.assertEqual(self.instance.plan_id, self.plan_pro)
        self.assertEqual(self.instance.pending_plan_id, self.plan_basic)
        self.assertEqual(self.instance.pending_plan_from, self.expiry)
        # the next period's invoice is for the smaller plan
        Instance = self.Instance
        Instance.run_lifecycle_sweep(fields.Date.to_string(self.expiry - timedelta(7)))
        renewal = self.instance.renewal_invoice_ids
        self.assertEqual(renewal._saas_plans(), self.plan_basic)
        self._pay(renewal)
        # paid early: the plan switches when the new period starts
        self.assertEqual(self.instance.plan_id, self.plan_pro)
        self.assertGreater(self.instance.expiration_date, self.expiry)
        Instance.run_lifecycle_sweep(fields.Date.to_string(self.expiry))
        self.assertEqual(self.instance.plan_id, self.plan_basic)
        self.assertFalse(self.instance.pending_plan_id)
        self.assertEqual(
            self._plan_events(),
            [
                {
                    "plan_code": "basic",
                    "previous_plan_code": "pro",
                    "change": "downgrade",
                }
            ],
        )

    def test_downgrade_that_breaks_a_limit_is_refused(self):
        self.instance.plan_id = self.plan_pro
        self.instance.write({"usage_users": 5, "usage_db_mb": 9000.0})
        self.instance.usage_filestore_mb = 2000.0
        with self.assertRaises(UserError) as refused:
            self.instance.request_plan_change(self.plan_basic.id)
        message = str(refused.exception.args[0])
        self.assertIn("Archive 2 user(s)", message)
        self.assertIn("Free 760 MB", message)
        self.assertEqual(self.instance.plan_id, self.plan_pro)
        self.assertFalse(self.instance.pending_plan_id)

    def test_keep_the_current_plan_withdraws_the_downgrade(self):
        self.instance.plan_id = self.plan_pro
        self.instance.request_plan_change(self.plan_basic.id)
        self.instance.action_cancel_pending_plan()
        self.assertFalse(self.instance.pending_plan_id)
        self.assertEqual(self.instance._renewal_plan(), self.plan_pro)

    def test_same_plan_or_not_running_is_refused(self):
        with self.assertRaises(UserError):
            self.instance.request_plan_change(self.plan_basic.id)
        draft = self._instance(self.customer, "acme-draft")
        with self.assertRaises(UserError):
            draft.request_plan_change(self.plan_pro.id)
        # a suspended instance renews first: no free upgrade of a lapsed period
        self.instance.write(
            {"state": "suspended", "expiration_date": self.today - timedelta(days=1)}
        )
        with self.assertRaises(UserError):
            self.instance.request_plan_change(self.plan_pro.id)
        self.assertEqual(self.instance.plan_id, self.plan_basic)

    def test_admin_edit_of_the_plan_reaches_the_bridge(self):
        self.instance.plan_id = self.plan_pro
        self.assertEqual(self._plan_events()[0]["change"], "admin")

    def test_shop_refuses_another_plan_for_an_own_instance(self):
        order = self._order(self.customer, self.plan_pro, "acme")
        error = order._saas_subdomain_error()
        self.assertIn("Change plan", error)
        self.assertIn("/my/instances/%s/plan" % self.instance.id, error)
        same = self._order(self.customer, self.plan_basic, "acme")
        self.assertFalse(same._saas_subdomain_error())

    def test_usage_share_and_filter(self):
        self.instance.write({"usage_users": 3, "usage_db_mb": 100.0})
        self.assertEqual(self.instance.usage_users_pct, 100.0)
        self.assertTrue(self.instance.usage_over_80)
        found = self.Instance.search([("usage_over_80", "=", True)])
        self.assertIn(self.instance, found)
        self.instance.usage_users = 1
        self.assertFalse(self.instance.usage_over_80)

    def test_storage_crossing_80_percent_mails_once_per_crossing(self):
        quota = self.plan_basic.saas_storage_mb
        self.instance.write({"usage_db_mb": quota * 0.5, "usage_filestore_mb": 0.0})
        self.assertFalse(self._events("instance.storage_warning", self.instance))
        self.instance.write(
            {"usage_db_mb": quota * 0.7, "usage_filestore_mb": quota * 0.15}
        )
        events = self._events("instance.storage_warning", self.instance)
        self.assertEqual(len(events), 1)
        data = json.loads(events.payload)["data"]
        self.assertEqual(data["quota_mb"], quota)
        self.assertEqual(data["pct"], 85.0)
        self.assertTrue(self.instance.usage_storage_warned)
        # measured again, still over: no second mail
        self.instance.write({"usage_db_mb": quota * 0.75})
        self.assertEqual(
            len(self._events("instance.storage_warning", self.instance)), 1
        )
        # cleaned up below 80 %, then over again: warned again
        self.instance.write({"usage_db_mb": quota * 0.1, "usage_filestore_mb": 0.0})
        self.assertFalse(self.instance.usage_storage_warned)
        self.instance.write({"usage_db_mb": quota * 0.95})
        self.assertEqual(
            len(self._events("instance.storage_warning", self.instance)), 2
        )

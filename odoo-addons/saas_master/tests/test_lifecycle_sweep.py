import json
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestLifecycleSweep(SaasCase):
    """The sweep run as of chosen days walks an instance through its life.

    No bridge is configured: the events stay pending in the outbox, so these
    tests do not depend on the bridge accepting the new event types.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.Instance)
        cls.expiry = cls.today + timedelta(days=10)
        cls.instance = cls._instance(
            cls.customer,
            "acme",
            state="running",
            last_payment_date=cls.today - timedelta(days=20),
            expiration_date=cls.expiry,
        )

    def _sweep(self, day):
        return self.Instance.run_lifecycle_sweep(fields.Date.to_string(day))

    def _actions(self, result, instance=None):
        instance = instance or self.instance
        for row in result["instances"]:
            if row["instance_id"] == instance.id:
                return [a["action"] for a in row["actions"]]
        return []

    def _data(self, event):
        return json.loads(event.payload)["data"]

    def test_nothing_before_the_reminder_window(self):
        result = self._sweep(self.expiry - timedelta(days=8))
        self.assertEqual(self._actions(result), [])
        self.assertFalse(self.instance.renewal_invoice_ids)
        self.assertFalse(self._events("instance.reminder"))

    def test_reminder_with_renewal_invoice_once_per_period(self):
        day = self.expiry - timedelta(days=7)
        result = self._sweep(day)
        self.assertEqual(self._actions(result), ["renewal_invoice", "reminder"])
        invoice = self.instance.renewal_invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(invoice.partner_id, self.customer)
        self.assertEqual(invoice.saas_renewal_period_end, self.expiry)
        self.assertEqual(invoice.invoice_date, day)
        self.assertEqual(invoice.invoice_date_due, self.expiry)
        self.assertEqual(
            invoice.invoice_line_ids.product_id, self.plan_basic.product_variant_id
        )
        self.assertEqual(invoice.amount_untaxed, self.plan_basic.list_price)
        self.assertIn(self.instance, invoice.saas_instance_ids)
        self.assertEqual(self.instance._open_renewal_invoice(), invoice)
        event = self._events("instance.reminder", self.instance)
        self.assertEqual(len(event), 1)
        data = self._data(event)
        self.assertEqual(data["invoice_id"], invoice.id)
        self.assertEqual(data["due_date"], fields.Date.to_string(self.expiry))
        self.assertEqual(data["days_left"], 7)
        self.assertFalse(data["trial"])
        self.assertIn("/my/invoices/%s?access_token=" % invoice.id, data["pay_url"])
        self.assertTrue(data["pay_url"].startswith("http"))
        # idempotent: the same day again, and the next days, do nothing more
        again = self._sweep(day)
        self.assertEqual(again["instances"], [])
        self.assertEqual(self._actions(self._sweep(day + timedelta(days=3))), [])
        self.assertEqual(len(self.instance.renewal_invoice_ids), 1)
        self.assertEqual(len(self._events("instance.reminder")), 1)

    def test_reminder_window_caught_up_late(self):
        # the sweep did not run in the window's first days: the invoice comes late
        result = self._sweep(self.expiry - timedelta(days=2))
        self.assertEqual(self._actions(result), ["renewal_invoice", "reminder"])
        self.assertEqual(self._data(self._events("instance.reminder"))["days_left"], 2)

    def test_expired_unpaid_is_suspended_once(self):
        self._sweep(self.expiry - timedelta(days=7))
        self.assertEqual(self._actions(self._sweep(self.expiry)), [])  # last day
        day = self.expiry + timedelta(days=1)
        result = self._sweep(day)
        self.assertEqual(self._actions(result), ["suspend"])
        self.assertEqual(self.instance.suspension_decided_on, day)
        event = self._events("instance.suspend", self.instance)
        self.assertEqual(len(event), 1)
        data = self._data(event)
        self.assertEqual(data["reason"], "expired")
        self.assertEqual(data["requested_by"], "lifecycle-sweep")
        self.assertEqual(data["expired_on"], fields.Date.to_string(self.expiry))
        self.assertEqual(data["invoice_id"], self.instance.renewal_invoice_ids.id)
        self.assertIn("pay_url", data)
        # the bridge has not acted yet (still running): nothing is sent again
        self.assertEqual(self._sweep(day + timedelta(days=1))["instances"], [])
        self.assertEqual(len(self._events("instance.suspend")), 1)

    def test_grace_then_deletion_warning_then_purge(self):
        decided = self.expiry + timedelta(days=1)
        self._sweep(decided)
        self.instance.state = "suspended"  # what the bridge writes back
        self.assertEqual(self.instance.subscription_state, "suspended")
        self.assertEqual(self.instance.deletion_date, decided + timedelta(days=30))
        self.assertEqual(self._actions(self._sweep(decided + timedelta(days=22))), [])
        warn_day = decided + timedelta(days=23)
        self.assertEqual(self._actions(self._sweep(warn_day)), ["deletion_warning"])
        self.assertEqual(self._actions(self._sweep(warn_day)), [])
        warning = self._events("instance.deletion_warning", self.instance)
        self.assertEqual(len(warning), 1)
        self.assertEqual(
            self._data(warning)["deletion_date"],
            fields.Date.to_string(decided + timedelta(days=30)),
        )
        self.assertEqual(
            self._data(warning)["suspended_on"], fields.Date.to_string(decided)
        )
        self.assertEqual(self._actions(self._sweep(decided + timedelta(days=29))), [])
        purge_day = decided + timedelta(days=30)
        self.assertEqual(self._actions(self._sweep(purge_day)), ["terminate"])
        self.assertEqual(self._actions(self._sweep(purge_day)), [])
        terminate = self._events("instance.terminate", self.instance)
        self.assertEqual(len(terminate), 1)
        self.assertIs(self._data(terminate)["purge"], True)
        self.assertEqual(self._data(terminate)["requested_by"], "lifecycle-sweep")

    def test_grace_counts_from_the_decision_not_from_the_bridge(self):
        decided = self.expiry + timedelta(days=1)
        self._sweep(decided)
        # the bridge reports the suspension much later; the grace does not move
        self.instance.state = "suspended"
        self.instance.suspended_since = fields.Datetime.now() + timedelta(days=20)
        self.assertEqual(
            self._actions(self._sweep(decided + timedelta(days=30))),
            ["deletion_warning"],
        )
        # warned late (the sweep skipped days): the purge waits a week after it
        self.assertEqual(self._actions(self._sweep(decided + timedelta(days=36))), [])
        self.assertEqual(
            self._actions(self._sweep(decided + timedelta(days=37))), ["terminate"]
        )

    def test_grace_setting(self):
        self.env["ir.config_parameter"].sudo().set_param("saas_master.grace_days", "10")
        decided = self.expiry + timedelta(days=1)
        self._sweep(decided)
        self.instance.state = "suspended"
        self.assertEqual(
            self._actions(self._sweep(decided + timedelta(days=3))),
            ["deletion_warning"],
        )
        self.assertEqual(
            self._actions(self._sweep(decided + timedelta(days=10))), ["terminate"]
        )

    def test_reminder_days_setting(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "saas_master.reminder_days", "2"
        )
        self.assertEqual(
            self._actions(self._sweep(self.expiry - timedelta(days=3))), []
        )
        self.assertEqual(
            self._actions(self._sweep(self.expiry - timedelta(days=2))),
            ["renewal_invoice", "reminder"],
        )

    def _pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()

    def test_payment_renews_and_ends_the_suspension(self):
        self.env["ir.config_parameter"].sudo().set_param("saas_master.grace_days", "10")
        self._sweep(self.expiry - timedelta(days=7))
        decided = self.expiry + timedelta(days=1)
        self._sweep(decided)
        self.instance.state = "suspended"
        invoice = self.instance.renewal_invoice_ids
        self._pay(invoice)
        renewed = self.expiry + relativedelta(months=1)
        self.assertEqual(self.instance.expiration_date, renewed)
        self.assertFalse(self.instance.suspension_decided_on)
        self.assertEqual(len(self._events("invoice.paid", self.instance)), 1)
        self.instance.state = "running"  # the bridge reactivates it
        # the old deletion dates (warning on day 3, purge on day 10) do nothing now
        self.assertEqual(self._actions(self._sweep(decided + timedelta(days=3))), [])
        self.assertEqual(self._actions(self._sweep(decided + timedelta(days=10))), [])
        self.assertFalse(self._events("instance.deletion_warning"))
        # the next period gets its own invoice, once
        result = self._sweep(renewed - timedelta(days=7))
        self.assertEqual(self._actions(result), ["renewal_invoice", "reminder"])
        self.assertEqual(len(self.instance.renewal_invoice_ids), 2)
        self.assertEqual(
            self.instance._open_renewal_invoice().saas_renewal_period_end, renewed
        )
        self.assertEqual(len(self._events("instance.reminder", self.instance)), 2)

    def test_paid_before_expiry_is_not_suspended(self):
        self._sweep(self.expiry - timedelta(days=7))
        self._pay(self.instance.renewal_invoice_ids)
        self.assertEqual(
            self._actions(self._sweep(self.expiry + timedelta(days=1))), []
        )
        self.assertFalse(self._events("instance.suspend"))

    def test_sleeping_and_other_states(self):
        draft = self._instance(self.customer, "acme-draft", expiration_date=self.today)
        terminated = self._instance(
            self.customer, "acme-gone", state="terminated", expiration_date=self.today
        )
        result = self._sweep(self.today + timedelta(days=5))
        self.assertEqual(self._actions(result, draft), [])
        self.assertEqual(self._actions(result, terminated), [])

    def test_as_of_defaults_to_today_and_is_validated(self):
        result = self.Instance.run_lifecycle_sweep(False)
        self.assertEqual(result["as_of"], fields.Date.to_string(self.today))
        run = self.env["saas.lifecycle.run"].browse(result["run_id"])
        self.assertEqual(run.as_of, self.today)
        for bad in ("tomorrow", "2026-13-01", 42):
            with self.assertRaises(UserError):
                self.Instance.run_lifecycle_sweep(bad)

    def test_run_is_recorded_with_what_it_did(self):
        result = self._sweep(self.expiry - timedelta(days=7))
        run = self.env["saas.lifecycle.run"].browse(result["run_id"])
        self.assertEqual(run.action_count, 2)
        self.assertEqual(run.instance_count, 1)
        self.assertIn("acme: renewal_invoice, reminder", run.summary)
        last = self.env["saas.lifecycle.run"].search([], limit=1)
        self.assertEqual(last, run)

    def test_admins_only(self):
        bridge = self.env.ref("saas_master.user_saas_bridge")
        portal = self._portal_user("acme_portal", self.customer)
        for user in (bridge, portal):
            with self.assertRaises(AccessError):
                self.Instance.with_user(user).run_lifecycle_sweep(False)
        admin = self.env.ref("base.user_admin")
        result = self.Instance.with_user(admin).run_lifecycle_sweep(
            fields.Date.to_string(self.expiry - timedelta(days=7))
        )
        self.assertEqual(self._actions(result), ["renewal_invoice", "reminder"])

    def test_wizard_runs_as_of_its_date(self):
        wizard = self.env["saas.lifecycle.sweep.wizard"].create(
            {"as_of": self.expiry - timedelta(days=7)}
        )
        action = wizard.action_run()
        run = self.env["saas.lifecycle.run"].browse(action["res_id"])
        self.assertEqual(run.as_of, self.expiry - timedelta(days=7))
        self.assertEqual(len(self.instance.renewal_invoice_ids), 1)

    def test_cron_and_sweep_hour_setting(self):
        cron = self.env.ref("saas_master.ir_cron_saas_lifecycle_sweep")
        self.assertEqual(cron.interval_type, "days")
        settings = self.env["res.config.settings"].create({"saas_sweep_hour": 5})
        settings.set_values()
        self.assertEqual(cron.nextcall.hour, 5)
        self.assertGreater(cron.nextcall, fields.Datetime.now())
        self.assertEqual(
            self.env["ir.config_parameter"].sudo().get_param("saas_master.sweep_hour"),
            "5",
        )
        self.assertEqual(
            self.Instance._cron_lifecycle_sweep()["as_of"],
            fields.Date.to_string(self.today),
        )

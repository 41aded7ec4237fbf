import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestSubscription(SaasCase):
    """Subscription state, cancellation, trials, temporary password, Terminate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.Instance)
        cls.plan_trial = cls.env["product.template"].create(
            {
                "name": "Trial plan",
                "detailed_type": "service",
                "list_price": 20.0,
                "saas_is_plan": True,
                "saas_plan_code": "trialplan",
                "saas_period_months": 1,
                "saas_trial_days": 14,
            }
        )

    def _running(self, subdomain, days_left, **values):
        return self._instance(
            self.customer,
            subdomain,
            state="running",
            last_payment_date=self.today - timedelta(days=20),
            expiration_date=self.today + timedelta(days=days_left),
            **values
        )

    def _sweep(self, day):
        return self.Instance.run_lifecycle_sweep(fields.Date.to_string(day))

    # -- computed state ------------------------------------------------

    def test_subscription_label_follows_the_readers_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env.ref("base.module_saas_master")._update_translations(["es_ES"])
        active = self._running("acme-lang", 20)
        # read in English first, then by a Spanish reader in the same transaction
        self.assertEqual(active.with_context(lang="en_US").subscription_label, "Active")
        self.assertEqual(active.with_context(lang="es_ES").subscription_label, "Activa")

    def test_subscription_states(self):
        active = self._running("acme-a", 20)
        expiring = self._running("acme-e", 5)
        suspended = self._running("acme-s", -3)
        suspended.state = "suspended"
        gone = self._running("acme-t", 20)
        gone.state = "terminated"
        trial = self._instance(
            self.customer,
            "acme-trial",
            plan=self.plan_trial,
            state="running",
            expiration_date=self.today + timedelta(days=4),
        )
        self.assertEqual(
            [i.subscription_state for i in (active, expiring, suspended, gone, trial)],
            ["active", "expiring", "suspended", "terminated", "trial"],
        )
        self.assertEqual(trial.trial_days_left, 4)
        self.assertEqual(trial.subscription_label, "Trial (4 days left)")
        self.assertEqual(active.subscription_label, "Active")
        self.assertEqual(active.next_due_date, active.expiration_date)
        self.assertFalse(gone.next_due_date)
        # the backend filter "expiring this week"
        week = self.Instance.search(
            [
                ("state", "not in", ("suspended", "terminating", "terminated")),
                ("expiration_date", ">=", self.today),
                ("expiration_date", "<=", self.today + timedelta(days=7)),
                ("partner_id", "=", self.customer.id),
            ]
        )
        self.assertEqual(week, expiring | trial)

    # -- cancellation --------------------------------------------------

    def test_cancellation_runs_until_expiry_then_unpaid_path(self):
        instance = self._running("acme", 10)
        expiry = instance.expiration_date
        self._sweep(expiry - timedelta(days=7))
        invoice = instance.renewal_invoice_ids
        self.assertEqual(invoice.state, "posted")
        instance.action_cancel_subscription()
        self.assertTrue(instance.cancel_at_period_end)
        self.assertEqual(invoice.state, "cancel")
        self.assertFalse(instance.next_due_date)
        self.assertFalse(instance._open_renewal_invoice())
        # no renewal invoice while cancelled; nothing until the expiry
        self.assertEqual(self._sweep(expiry - timedelta(days=3))["instances"], [])
        self.assertEqual(len(instance.renewal_invoice_ids), 1)
        result = self._sweep(expiry + timedelta(days=1))
        actions = [a["action"] for a in result["instances"][0]["actions"]]
        self.assertEqual(actions, ["suspend"])
        data = json.loads(self._events("instance.suspend", instance).payload)["data"]
        self.assertTrue(data["cancelled"])
        self.assertEqual(data["reason"], "expired")
        self.assertNotIn("pay_url", data)
        self.assertFalse(instance._can_undo_cancellation())

    def test_undo_cancellation_until_expiry(self):
        instance = self._running("acme", 10)
        expiry = instance.expiration_date
        instance.action_cancel_subscription()
        with self.assertRaises(UserError):
            instance.action_cancel_subscription()
        self.assertTrue(instance._can_undo_cancellation())
        instance.action_undo_cancellation()
        self.assertFalse(instance.cancel_at_period_end)
        self.assertEqual(instance.next_due_date, expiry)
        result = self._sweep(expiry - timedelta(days=7))
        self.assertEqual(
            [a["action"] for a in result["instances"][0]["actions"]],
            ["renewal_invoice", "reminder"],
        )
        late = self._running("acme-late", -1)
        late.cancel_at_period_end = True
        with self.assertRaises(UserError):
            late.action_undo_cancellation()

    # -- trials --------------------------------------------------------

    def test_trial_starts_at_once_once_per_customer_and_plan(self):
        contact = self.env["res.partner"].create(
            {"name": "Ann", "parent_id": self.customer.id, "email": "ann@acme.com"}
        )
        instance = self.Instance._start_trial(contact, self.plan_trial, "acme-try")
        self.assertTrue(instance.is_trial)
        self.assertEqual(instance.state, "draft")
        self.assertEqual(instance.expiration_date, self.today + timedelta(days=14))
        self.assertEqual(instance.subscription_state, "trial")
        self.assertEqual(instance.trial_days_left, 14)
        event = self._events("instance.retry", instance)
        self.assertEqual(len(event), 1)
        self.assertEqual(json.loads(event.payload)["data"]["reason"], "trial")
        self.assertFalse(instance.sale_order_ids or instance.invoice_ids)
        # one trial per customer (its contacts included) and plan
        with self.assertRaises(UserError):
            self.Instance._start_trial(self.customer, self.plan_trial, "acme-try2")
        with self.assertRaises(UserError):
            self.Instance._start_trial(self.customer, self.plan_basic, "acme-basic")
        with self.assertRaises(UserError):
            self.Instance._start_trial(self.other_customer, self.plan_trial, "acme-try")
        other = self.Instance._start_trial(
            self.other_customer, self.plan_trial, "globex-try"
        )
        self.assertTrue(other.is_trial)

    def test_trial_ends_like_an_unpaid_period(self):
        instance = self.Instance._start_trial(self.customer, self.plan_trial, "acme")
        instance.state = "running"
        expiry = instance.expiration_date
        self.assertEqual(self._sweep(expiry - timedelta(days=4))["instances"], [])
        result = self._sweep(expiry - timedelta(days=3))
        self.assertEqual(
            [a["action"] for a in result["instances"][0]["actions"]],
            ["renewal_invoice", "reminder"],
        )
        data = json.loads(self._events("instance.reminder", instance).payload)["data"]
        self.assertTrue(data["trial"])
        self.assertEqual(
            instance.renewal_invoice_ids.amount_untaxed, self.plan_trial.list_price
        )
        result = self._sweep(expiry + timedelta(days=1))
        self.assertEqual(
            [a["action"] for a in result["instances"][0]["actions"]], ["suspend"]
        )

    def test_paying_the_trial_invoice_extends_from_trial_end(self):
        instance = self.Instance._start_trial(self.customer, self.plan_trial, "acme")
        instance.state = "running"
        expiry = instance.expiration_date
        self._sweep(expiry - timedelta(days=3))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=instance.renewal_invoice_ids.ids
        ).create({})._create_payments()
        self.assertEqual(instance.subscription_state, "active")
        self.assertGreater(instance.expiration_date, expiry + timedelta(days=27))

    # -- temporary password -------------------------------------------

    def test_initial_password_only_when_running(self):
        instance = self._instance(
            self.customer, "acme", state="provisioning", initial_password="Tmp-1"
        )
        self.assertFalse(instance._take_initial_password())
        self.assertEqual(instance.sudo().initial_password, "Tmp-1")
        instance.state = "running"
        self.assertEqual(instance._take_initial_password(), "Tmp-1")
        self.assertFalse(instance.sudo().initial_password)
        self.assertFalse(instance._take_initial_password())

    def test_initial_password_cleared_a_week_after_provisioning(self):
        now = fields.Datetime.now()
        old = self._instance(
            self.customer,
            "acme-old",
            state="running",
            initial_password="Old-1",
            provisioned_at=now - timedelta(days=7, minutes=1),
        )
        fresh = self._instance(
            self.customer,
            "acme-new",
            state="running",
            initial_password="New-1",
            provisioned_at=now - timedelta(days=6),
        )
        self.Instance._cron_clear_initial_passwords()
        self.assertFalse(old.sudo().initial_password)
        self.assertEqual(fresh.sudo().initial_password, "New-1")
        cron = self.env.ref("saas_master.ir_cron_saas_clear_initial_passwords")
        self.assertTrue(cron.active)

    # -- Terminate button ---------------------------------------------

    def test_terminate_confirmation_names_what_is_deleted(self):
        instance = self._running(
            "acme-corp", 10, db_name="tenant_acme_corp", container_ref="saas-acme"
        )
        action = instance.action_open_terminate_wizard()
        self.assertEqual(action["res_model"], "saas.instance.terminate.wizard")
        wizard = (
            self.env[action["res_model"]].with_context(action["context"]).create({})
        )
        self.assertIn("tenant_acme_corp", wizard.deleted_items)
        self.assertIn("saas-acme", wizard.deleted_items)
        self.assertIn("final backup", wizard.deleted_items)
        self.assertFalse(self._events("instance.terminate", instance))
        wizard.action_confirm()
        event = self._events("instance.terminate", instance)
        self.assertEqual(len(event), 1)
        data = json.loads(event.payload)["data"]
        self.assertIs(data["purge"], True)
        instance.state = "terminated"
        with self.assertRaises(UserError):
            wizard.action_confirm()

from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from ..lib.contract import CONTRACT, INSTANCE_STATES
from .common import SaasCase


@tagged("post_install", "-at_install")
class TestHibernation(SaasCase):
    """Sleeping is a flag the bridge writes on a running instance, never a state."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bridge = cls.env.ref("saas_master.user_saas_bridge")
        cls.today = fields.Date.context_today(cls.Instance)
        cls.expiry = cls.today + timedelta(days=10)
        cls.instance = cls._instance(
            cls.customer,
            "acme",
            state="running",
            last_payment_date=cls.today - timedelta(days=20),
            expiration_date=cls.expiry,
        )

    def _fall_asleep(self):
        self.instance.with_user(self.bridge).write(
            {"sleeping": True, "sleeping_since": "2026-12-02 06:00:00"}
        )

    def test_contract_flags_are_boolean_fields_and_no_state(self):
        self.assertEqual(CONTRACT["instance_flags"], ["sleeping"])
        for flag in CONTRACT["instance_flags"]:
            self.assertEqual(self.Instance._fields[flag].type, "boolean")
            self.assertNotIn(flag, INSTANCE_STATES)

    def test_seeded_plans_sleep_after_their_idle_time_the_dearest_never(self):
        self.assertEqual(self.plan_basic.saas_idle_minutes, 30)
        self.assertEqual(self.plan_pro.saas_idle_minutes, 120)
        enterprise = self.env.ref("saas_master.product_plan_enterprise")
        self.assertEqual(enterprise.saas_idle_minutes, 0)
        self.assertGreater(enterprise.list_price, self.plan_pro.list_price)

    def test_a_negative_idle_time_is_refused(self):
        with self.assertRaises(ValidationError):
            self.plan_basic.saas_idle_minutes = -1

    def test_the_bridge_reads_the_plan_time_and_writes_the_flag(self):
        plan = self.plan_basic.with_user(self.bridge).read(["saas_idle_minutes"])
        self.assertEqual(plan[0]["saas_idle_minutes"], 30)
        self._fall_asleep()
        row = self.instance.with_user(self.bridge).read(["state", "sleeping"])[0]
        self.assertEqual((row["state"], row["sleeping"]), ("running", True))
        self.assertEqual(
            self.instance.sleeping_since,
            fields.Datetime.to_datetime("2026-12-02 06:00"),
        )
        self.instance.with_user(self.bridge).write(
            {"sleeping": False, "sleeping_since": False}
        )
        self.assertFalse(self.instance.sleeping)

    def test_the_sweep_suspends_a_sleeping_instance_like_a_running_one(self):
        self._fall_asleep()
        self.Instance.run_lifecycle_sweep(
            fields.Date.to_string(self.expiry - timedelta(days=7))
        )
        day = self.expiry + timedelta(days=1)
        result = self.Instance.run_lifecycle_sweep(fields.Date.to_string(day))
        actions = [
            a["action"]
            for row in result["instances"]
            if row["instance_id"] == self.instance.id
            for a in row["actions"]
        ]
        self.assertEqual(actions, ["suspend"])
        self.assertEqual(len(self._events("instance.suspend", self.instance)), 1)
        # the bridge's suspension ends the sleep; the reactivation starts it awake
        self.instance.with_user(self.bridge).write({"state": "suspended"})
        self.assertFalse(self.instance.sleeping)
        self.assertFalse(self.instance.sleeping_since)
        self.instance.action_reactivate()
        self.assertEqual(len(self._events("instance.reactivate", self.instance)), 1)
        self.instance.with_user(self.bridge).write({"state": "running"})
        self.assertFalse(self.instance.sleeping)

    def test_admin_suspend_of_a_sleeping_instance_is_sent(self):
        self._fall_asleep()
        self.instance.action_suspend()
        self.assertEqual(len(self._events("instance.suspend", self.instance)), 1)

    def test_views_show_sleeping(self):
        form = self.Instance.get_view(view_type="form")["arch"]
        self.assertIn("o_saas_sleeping", form)
        self.assertIn('name="sleeping_since"', form)
        tree = self.Instance.get_view(view_type="tree")["arch"]
        self.assertIn('name="sleeping"', tree)
        search = self.Instance.get_view(view_type="search")["arch"]
        self.assertIn("filter_sleeping", search)
        plan_form = self.env["product.template"].get_view(
            self.env.ref("saas_master.product_template_form_view_saas").id, "form"
        )["arch"]
        self.assertIn('name="saas_idle_minutes"', plan_form)
        self.assertEqual(
            self.Instance.search([("sleeping", "=", True)]), self.Instance.browse()
        )


@tagged("post_install", "-at_install")
class TestHibernationPortal(HttpCase, SaasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mine = cls._instance(
            cls.customer, "acme", state="running", url="http://acme.localhost:8080"
        )
        cls._portal_user("acme_portal", cls.customer)

    def test_portal_shows_sleeping_in_english_and_spanish(self):
        self.authenticate("acme_portal", "acme_portal-pass-123")
        html = self.url_open("/my/instances").text
        self.assertNotIn("o_saas_sleeping", html)
        self.mine.sudo().sleeping = True
        html = self.url_open("/my/instances").text
        self.assertIn("o_saas_sleeping", html)
        self.assertIn(">Sleeping<", html)
        # still running: the customer opens it as ever (the visit wakes it)
        self.assertIn("o_saas_state_running", html)
        self.assertIn('href="http://acme.localhost:8080"', html)
        page = self.url_open("/my/instances/%s" % self.mine.id).text
        self.assertIn("o_saas_sleeping", page)
        lang = self.env["res.lang"]._activate_lang("es_ES")
        self.env.ref("base.module_saas_master")._update_translations(["es_ES"])
        self.env["website"].get_current_website().language_ids |= lang
        html = self.url_open("/%s/my/instances" % lang.url_code).text
        self.assertIn(">En reposo<", html)

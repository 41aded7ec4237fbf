from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestPlanChangePortal(HttpCase, SaasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.Instance)
        cls.mine = cls._instance(
            cls.customer,
            "acme",
            state="running",
            url="http://acme.localhost:8080",
            last_payment_date=today - timedelta(days=10),
            expiration_date=today + timedelta(days=20),
            usage_users=2,
            usage_db_mb=900.0,
        )
        cls._portal_user("acme_portal", cls.customer)
        cls._portal_user("globex_portal", cls.other_customer)

    def _login(self, login):
        self.authenticate(login, login + "-pass-123")

    def _post(self, url, **data):
        page = self.url_open("/my/instances/%s/plan" % self.mine.id).text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        return self.url_open(url, data=dict(data, csrf_token=token))

    def test_usage_and_change_plan_on_the_instance_page(self):
        self._login("acme_portal")
        html = self.url_open("/my/instances/%s" % self.mine.id).text
        self.assertIn("o_saas_change_plan", html)
        self.assertIn("o_saas_usage_users", html)
        self.assertIn("2 / 3", html)

    def test_upgrade_leads_to_the_pro_rata_invoice(self):
        self._login("acme_portal")
        page = self.url_open("/my/instances/%s/plan" % self.mine.id).text
        self.assertIn("o_saas_plan_pro", page)
        response = self._post(
            "/my/instances/%s/plan" % self.mine.id, plan_id=str(self.plan_pro.id)
        )
        invoice = self.env["account.move"].search(
            [("saas_plan_change_instance_id", "=", self.mine.id)]
        )
        self.assertEqual(len(invoice), 1)
        self.assertIn("/my/invoices/%s" % invoice.id, response.url)
        self.assertEqual(self.mine.plan_id, self.plan_basic)

    def test_refused_downgrade_says_what_to_reduce(self):
        self.mine.write({"plan_id": self.plan_pro.id, "usage_users": 6})
        self._login("acme_portal")
        response = self._post(
            "/my/instances/%s/plan" % self.mine.id, plan_id=str(self.plan_basic.id)
        )
        self.assertIn("o_saas_plan_change_error", response.text)
        self.assertIn("Archive 3 user(s)", response.text)
        self.assertFalse(self.mine.pending_plan_id)

    def test_bad_plan_id_and_stranger(self):
        self._login("acme_portal")
        response = self._post("/my/instances/%s/plan" % self.mine.id, plan_id="1e9")
        self.assertIn("This plan cannot be chosen.", response.text)
        self._login("globex_portal")
        response = self.url_open("/my/instances/%s/plan" % self.mine.id)
        self.assertNotIn("o_saas_plan_change", response.text)

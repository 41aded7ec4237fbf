from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestPortal(HttpCase, SaasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mine = cls._instance(
            cls.customer,
            "acme",
            state="running",
            url="http://acme.localhost:8080",
            admin_login="acme@example.com",
        )
        cls.theirs = cls._instance(cls.other_customer, "globex", state="suspended")
        cls._portal_user("acme_portal", cls.customer)
        cls._portal_user("globex_portal", cls.other_customer)

    def _login(self, login):
        self.authenticate(login, login + "-pass-123")

    def test_my_instances_card(self):
        self._login("acme_portal")
        response = self.url_open("/my/instances")
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn('data-instance-id="%s"' % self.mine.id, html)
        self.assertIn('href="http://acme.localhost:8080"', html)
        self.assertIn("o_saas_open", html)
        self.assertIn("Open my Odoo", html)
        self.assertIn("o_saas_state_running", html)
        self.assertIn("text-bg-success", html)
        self.assertNotIn("globex", html)
        home = self.url_open("/my/home")
        self.assertIn("/my/instances", home.text)

    def test_other_customer_instance_is_not_shown(self):
        self._login("acme_portal")
        response = self.url_open("/my/instances/%s" % self.theirs.id)
        self.assertNotIn("globex", response.text)
        self.assertNotIn('data-instance-id="%s"' % self.theirs.id, response.text)
        self.assertTrue(
            response.url.endswith("/my") or response.url.endswith("/my/home")
        )

    def test_initial_password_shown_once(self):
        self.mine.sudo().initial_password = "Temp-Pass-42"
        self._login("acme_portal")
        first = self.url_open("/my/instances/%s" % self.mine.id)
        self.assertIn("Temp-Pass-42", first.text)
        self.assertIn("acme@example.com", first.text)
        self.assertFalse(self.mine.sudo().initial_password)
        second = self.url_open("/my/instances/%s" % self.mine.id)
        self.assertEqual(second.status_code, 200)
        self.assertNotIn("Temp-Pass-42", second.text)

    def test_pay_renew_link(self):
        order = self._confirmed_order(self.customer, self.plan_basic, "acme-pay")
        invoice = order._create_invoices()
        invoice.action_post()
        self._login("acme_portal")
        html = self.url_open("/my/instances").text
        self.assertIn("o_saas_pay", html)
        self.assertIn("/my/invoices/%s" % invoice.id, html)

    def test_renew_link_when_expiring(self):
        self.mine.expiration_date = fields.Date.context_today(self.mine) + timedelta(
            days=3
        )
        self._login("acme_portal")
        html = self.url_open("/my/instances").text
        self.assertIn("Expiring soon", html)
        self.assertIn("o_saas_renew", html)
        self.assertIn(self.plan_basic.website_url, html)

    def test_spanish_portal(self):
        lang = self.env["res.lang"]._activate_lang("es_ES")
        self.env.ref("base.module_saas_master")._update_translations(["es_ES"])
        self.env["website"].get_current_website().language_ids |= lang
        self._login("acme_portal")
        html = self.url_open("/%s/my/instances" % lang.url_code).text
        self.assertIn("Abrir mi Odoo", html)
        self.assertIn("En marcha", html)

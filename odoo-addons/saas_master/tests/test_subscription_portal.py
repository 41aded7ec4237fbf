import json
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestSubscriptionPortal(HttpCase, SaasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.Instance)
        cls.mine = cls._instance(
            cls.customer,
            "acme",
            state="running",
            url="http://acme.localhost:8080",
            admin_login="acme@example.com",
            last_payment_date=cls.today - timedelta(days=20),
            expiration_date=cls.today + timedelta(days=5),
        )
        cls._portal_user("acme_portal", cls.customer)
        cls._portal_user("globex_portal", cls.other_customer)
        cls.plan_trial = cls.env["product.template"].create(
            {
                "name": "Trial plan",
                "detailed_type": "service",
                "list_price": 20.0,
                "is_published": True,
                "saas_is_plan": True,
                "saas_plan_code": "trialplan",
                "saas_period_months": 1,
                "saas_trial_days": 14,
            }
        )

    def _login(self, login):
        self.authenticate(login, login + "-pass-123")

    def _post(self, url, **data):
        # any page with a form carries the session's token (the trial form does)
        page = self.url_open("/shop/saas_trial/%s" % self.plan_trial.id).text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        return self.url_open(url, data=dict(data, csrf_token=token))

    def test_pay_now_page_can_pay_without_a_token_in_the_url(self):
        # the instance page's "Pay now" opens /my/invoices/<id>: the payment form must
        # still carry the invoice's token, or /invoice/transaction refuses the payment
        self.Instance.run_lifecycle_sweep(fields.Date.to_string(self.today))
        invoice = self.mine.renewal_invoice_ids
        self._login("acme_portal")
        html = self.url_open("/my/invoices/%s" % invoice.id).text
        self.assertIn('data-access-token="%s"' % invoice.sudo().access_token, html)
        self.assertTrue(invoice.sudo().access_token)

    def test_state_due_date_and_pay_now(self):
        self.Instance.run_lifecycle_sweep(fields.Date.to_string(self.today))
        invoice = self.mine.renewal_invoice_ids
        self.assertTrue(invoice)
        self._login("acme_portal")
        for url in ("/my/instances", "/my/instances/%s" % self.mine.id):
            html = self.url_open(url).text
            self.assertIn('data-subscription-state="expiring"', html)
            self.assertIn("Expiring soon", html)
            self.assertIn("o_saas_next_due", html)
            self.assertIn("o_saas_pay_now", html)
            self.assertIn("/my/invoices/%s" % invoice.id, html)
            self.assertNotIn("o_saas_renew", html)
        self.mine.state = "suspended"
        html = self.url_open("/my/instances").text
        self.assertIn('data-subscription-state="suspended"', html)
        self.assertIn("btn-danger o_saas_pay_now", html)

    def test_cancel_confirm_and_undo(self):
        self._login("acme_portal")
        page = self.url_open("/my/instances/%s" % self.mine.id).text
        self.assertIn("o_saas_cancel", page)
        confirm = self.url_open("/my/instances/%s/cancel" % self.mine.id)
        self.assertIn("o_saas_cancel_confirm_button", confirm.text)
        self.assertFalse(self.mine.cancel_at_period_end)  # a GET changes nothing
        self._post("/my/instances/%s/cancel" % self.mine.id)
        self.assertTrue(self.mine.cancel_at_period_end)
        page = self.url_open("/my/instances/%s" % self.mine.id).text
        self.assertIn("o_saas_uncancel", page)
        self.assertIn("o_saas_cancelled", page)
        self._post("/my/instances/%s/uncancel" % self.mine.id)
        self.assertFalse(self.mine.cancel_at_period_end)

    def test_cannot_cancel_someone_elses(self):
        self._login("globex_portal")
        self._post("/my/instances/%s/cancel" % self.mine.id)
        self.assertFalse(self.mine.cancel_at_period_end)

    def test_start_free_trial(self):
        page = self.url_open(self.plan_trial.website_url).text
        self.assertIn("o_saas_start_trial", page)
        self.assertIn("/shop/saas_trial/%s" % self.plan_trial.id, page)
        basic = self.url_open(self.plan_basic.website_url).text
        self.assertNotIn("o_saas_start_trial", basic)
        # anonymous: sent to log in (or sign up) first
        anonymous = self.url_open("/shop/saas_trial/%s" % self.plan_trial.id)
        self.assertIn("/web/login", anonymous.url)
        self._login("acme_portal")
        form = self.url_open("/shop/saas_trial/%s" % self.plan_trial.id).text
        self.assertIn("saas_trial_form", form)
        refused = self._post(
            "/shop/saas_trial/%s" % self.plan_trial.id, saas_subdomain="admin"
        )
        self.assertIn("is-invalid", refused.text)
        self.assertFalse(self.Instance.search([("is_trial", "=", True)]))
        started = self._post(
            "/shop/saas_trial/%s" % self.plan_trial.id, saas_subdomain="acme-trial"
        )
        instance = self.Instance.search([("subdomain", "=", "acme-trial")])
        self.assertTrue(instance.is_trial)
        self.assertTrue(started.url.endswith("/my/instances/%s" % instance.id))
        self.assertIn("Trial (14 days left)", started.text)
        self.assertEqual(len(self._events("instance.retry", instance)), 1)
        again = self._post(
            "/shop/saas_trial/%s" % self.plan_trial.id, saas_subdomain="acme-trial2"
        )
        self.assertIn("already used your free trial", again.text)

    def test_password_not_shown_before_running(self):
        self.mine.write({"state": "provisioning"})
        self.mine.sudo().initial_password = "Temp-Pass-42"
        self._login("acme_portal")
        html = self.url_open("/my/instances/%s" % self.mine.id).text
        self.assertNotIn("Temp-Pass-42", html)
        self.assertEqual(self.mine.sudo().initial_password, "Temp-Pass-42")
        self.mine.write({"state": "running"})
        html = self.url_open("/my/instances/%s" % self.mine.id).text
        self.assertIn("Temp-Pass-42", html)
        self.assertFalse(self.mine.sudo().initial_password)

    def test_sweep_over_json_rpc(self):
        day = fields.Date.to_string(self.today)

        def call(login, password):
            body = {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "service": "object",
                    "method": "execute_kw",
                    "args": [
                        self.env.cr.dbname,
                        self.env["res.users"].search([("login", "=", login)]).id,
                        password,
                        "saas.instance",
                        "run_lifecycle_sweep",
                        [day],
                    ],
                },
            }
            response = self.url_open(
                "/jsonrpc",
                data=json.dumps(body),
                headers={"Content-Type": "application/json"},
            )
            return response.json()

        answer = call("admin", "admin")
        self.assertNotIn("error", answer)
        rows = answer["result"]["instances"]
        self.assertEqual(answer["result"]["as_of"], day)
        self.assertEqual(rows[0]["instance_id"], self.mine.id)
        self.assertEqual(
            [a["action"] for a in rows[0]["actions"]], ["renewal_invoice", "reminder"]
        )
        refused = call("acme_portal", "acme_portal-pass-123")
        self.assertIn("error", refused)
        self.assertIn("Only SaaS managers", refused["error"]["data"]["message"])

    def test_spanish(self):
        lang = self.env["res.lang"]._activate_lang("es_ES")
        self.env.ref("base.module_saas_master")._update_translations(["es_ES"])
        self.env["website"].get_current_website().language_ids |= lang
        self._login("acme_portal")
        html = self.url_open("/%s/my/instances/%s" % (lang.url_code, self.mine.id)).text
        self.assertIn("Vence pronto", html)
        self.assertIn("Cancelar la suscripción", html)
        self.assertIn("Próximo pago el", html)

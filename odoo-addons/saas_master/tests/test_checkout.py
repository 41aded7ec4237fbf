import json
from unittest.mock import patch

from lxml import html as lxml_html

import odoo.http
from odoo import Command
from odoo.tests import HttpCase, tagged

from ..controllers import checkout
from .common import SaasCase


@tagged("post_install", "-at_install")
class TestCheckout(HttpCase, SaasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write(
            {
                "street": "Calle Mayor 1",
                "city": "Madrid",
                "zip": "28001",
                "country_id": cls.env.ref("base.es").id,
            }
        )
        cls.user = cls._portal_user("acme_buyer", cls.customer, password="acme_buyer")
        cls._instance(cls.other_customer, "taken-one")
        # A payment provider, so that /shop/payment renders the payment form.
        cls.payment_method = cls.env.ref("payment.payment_method_unknown")
        cls.provider = cls.env["payment.provider"].create(
            {
                "name": "Dummy Provider",
                "code": "none",
                "state": "test",
                "is_published": True,
                "payment_method_ids": [Command.set(cls.payment_method.ids)],
            }
        )
        cls.payment_method.active = True

    def setUp(self):
        super().setUp()
        # every test starts with a fresh allowance (all of them come from 127.0.0.1)
        checkout.SUBDOMAIN_CHECKS.reset()
        self.addCleanup(checkout.SUBDOMAIN_CHECKS.reset)

    def _cart(self):
        self.authenticate("acme_buyer", "acme_buyer")
        self.make_jsonrpc_request(
            "/shop/cart/update_json",
            {"product_id": self.plan_basic.product_variant_id.id, "add_qty": 1},
        )
        return self.env["sale.order"].search(
            [("partner_id", "=", self.customer.id), ("state", "=", "draft")], limit=1
        )

    def _save(self, value):
        page = self.url_open("/shop/payment").text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        return self.url_open(
            "/shop/saas_subdomain",
            data={"csrf_token": token, "saas_subdomain": value},
        )

    def _subdomain_writes(self):
        """Patch sale.order.write; the list of saas_subdomain values written."""
        SaleOrder = type(self.env["sale.order"])
        write = SaleOrder.write
        written = []

        def spy(records, vals):
            if "saas_subdomain" in vals:
                written.append(vals["saas_subdomain"])
            return write(records, vals)

        self.startPatcher(patch.object(SaleOrder, "write", spy))
        return written

    def _session_saves(self):
        """Patch the session store; the list of sessions saved."""
        store = odoo.http.root.session_store
        save = store.save
        saved = []

        def spy(session):
            saved.append(dict(session))
            return save(session)

        self.startPatcher(patch.object(store, "save", spy))
        return saved

    @staticmethod
    def _payment_method_div(page):
        found = lxml_html.fromstring(page).xpath("//div[@id='payment_method']")
        return found[0] if found else None

    def test_payment_page_has_default_subdomain(self):
        order = self._cart()
        response = self.url_open("/shop/payment")
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn('id="saas_subdomain"', html)
        self.assertIn('name="saas_subdomain"', html)
        self.assertIn("Subdomain of your Odoo", html)
        self.assertIn('value="acme-corp"', html)
        self.assertEqual(order.saas_subdomain, "acme-corp")

    def test_invalid_subdomain_blocks_payment(self):
        order = self._cart()
        response = self._save("taken-one")
        self.assertTrue(response.url.endswith("/shop/payment"))
        self.assertIn("already taken", response.text)
        self.assertIn("is-invalid", response.text)
        # the payment is rendered hidden (the JS shows it for an accepted subdomain)
        self.assertEqual(
            self._payment_method_div(response.text).get("hidden"), "hidden"
        )
        self.assertEqual(order.saas_subdomain, "taken-one")
        result = self.make_jsonrpc_request(
            "/shop/saas_subdomain/check", {"saas_subdomain": "www"}
        )
        self.assertFalse(result["ok"])
        self.assertIn("reserved", result["error"])
        response = self._save("acme-shop")
        self.assertNotIn("already taken", response.text)
        self.assertIsNone(self._payment_method_div(response.text).get("hidden"))
        self.assertEqual(order.saas_subdomain, "acme-shop")
        result = self.make_jsonrpc_request(
            "/shop/saas_subdomain/check", {"saas_subdomain": "acme-new"}
        )
        self.assertEqual(result, {"ok": True, "subdomain": "acme-new", "error": ""})

    def test_check_writes_only_changes(self):
        order = self._cart()
        self.url_open("/shop/payment")
        written = self._subdomain_writes()
        saved = self._session_saves()
        check = "/shop/saas_subdomain/check"
        result = self.make_jsonrpc_request(check, {"saas_subdomain": " Acme-Corp "})
        self.assertEqual(result, {"ok": True, "subdomain": "acme-corp", "error": ""})
        self.assertEqual(written, [])  # the order already holds it
        result = self.make_jsonrpc_request(check, {"saas_subdomain": "acme-two"})
        self.assertTrue(result["ok"])
        result = self.make_jsonrpc_request(check, {"saas_subdomain": "acme-two"})
        self.assertTrue(result["ok"])
        self.assertEqual(written, ["acme-two"])
        self.assertEqual(saved, [], "the check must not write the session")
        order.invalidate_recordset()
        self.assertEqual(order.saas_subdomain, "acme-two")

    def test_check_leaves_session_of_payment_alone(self):
        """After the payment started, a (late) check writes neither order nor session.

        A check slowed down by a retry used to save its copy of the session (without
        the transaction the payment flow stored there): /payment/status/poll then
        answered tx_not_found.
        """
        order = self._cart()
        self.url_open("/shop/payment")
        self.env["payment.transaction"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.payment_method.id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": order.partner_id.id,
                "reference": "SAAS-TEST-TX-1",
                "sale_order_ids": [Command.set(order.ids)],
                "state": "pending",
            }
        )
        written = self._subdomain_writes()
        saved = self._session_saves()
        result = self.make_jsonrpc_request(
            "/shop/saas_subdomain/check", {"saas_subdomain": "acme-late"}
        )
        self.assertFalse(result["ok"])
        self.assertEqual(written, [])
        self.assertEqual(saved, [], "the check must not write the session")
        order.invalidate_recordset()
        self.assertEqual(order.saas_subdomain, "acme-corp")

    def test_check_without_cart_creates_nothing(self):
        self.authenticate("acme_buyer", "acme_buyer")
        orders = self.env["sale.order"].search_count([])
        saved = self._session_saves()
        result = self.make_jsonrpc_request(
            "/shop/saas_subdomain/check", {"saas_subdomain": "acme-new"}
        )
        self.assertFalse(result["ok"])
        self.assertEqual(self.env["sale.order"].search_count([]), orders)
        self.assertEqual(saved, [])

    def test_form_needs_csrf(self):
        self._cart()
        response = self.url_open(
            "/shop/saas_subdomain", data={"saas_subdomain": "x-y-z"}
        )
        self.assertEqual(response.status_code, 400)

    def test_transaction_route_validates_typed_subdomain(self):
        order = self._cart()
        route = "/shop/payment/transaction/%s" % order.id
        params = {"access_token": order._portal_ensure_token(), "saas_subdomain": "www"}
        body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
        response = self.url_open(
            route, data=json.dumps(body), headers={"Content-Type": "application/json"}
        ).json()
        self.assertEqual(
            response["error"]["data"]["name"], "odoo.exceptions.ValidationError"
        )
        self.assertIn("reserved", response["error"]["data"]["message"])
        order.invalidate_recordset()
        self.assertFalse(order.saas_subdomain)  # the failed request wrote nothing

    def test_tour_inline_feedback(self):
        order = self._cart()
        self.start_tour("/shop/payment", "saas_checkout_subdomain", login="acme_buyer")
        order.invalidate_recordset()
        self.assertEqual(order.saas_subdomain, "acme-web")

    def test_tour_save_sends_one_request(self):
        """Typing, then clicking Save ("change" + "submit" at once): one request."""
        order = self._cart()
        self.url_open("/shop/payment")  # writes the default subdomain
        written = self._subdomain_writes()
        self.start_tour(
            "/shop/payment", "saas_checkout_subdomain_save", login="acme_buyer"
        )
        self.assertEqual(written, ["acme-save"])
        order.invalidate_recordset()
        self.assertEqual(order.saas_subdomain, "acme-save")

    def test_check_answers_hostile_values_cleanly(self):
        """NUL and other control characters, over-long text and non-string JSON
        values: a refusal with a message, never a traceback, and nothing stored."""
        order = self._cart()
        self.url_open("/shop/payment")
        written = self._subdomain_writes()
        check = "/shop/saas_subdomain/check"
        hostile = ["ac\x00me", "acme\n", "ac\tme", "a\u202ecme", "x" * 5000]
        for value in hostile + [42, None, ["acme"], {"a": 1}, True]:
            result = self.make_jsonrpc_request(check, {"saas_subdomain": value})
            self.assertFalse(result["ok"], repr(value))
            self.assertIn("letters, digits and hyphens", result["error"])
            self.assertNotIn("\x00", result["subdomain"])
        self.assertEqual(written, [])
        order.invalidate_recordset()
        self.assertEqual(order.saas_subdomain, "acme-corp")

    def test_form_answers_a_nul_byte_with_400(self):
        order = self._cart()
        response = self._save("ac\x00me")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.text,
            "Please type the subdomain with letters, digits and hyphens only.",
        )
        order.invalidate_recordset()
        self.assertEqual(order.saas_subdomain, "acme-corp")

    def test_check_is_rate_limited_per_session(self):
        self._cart()
        self.startPatcher(patch.object(checkout, "SESSION_LIMIT", 3))
        check = "/shop/saas_subdomain/check"
        for number in range(3):
            value = "acme-try-%d" % number
            result = self.make_jsonrpc_request(check, {"saas_subdomain": value})
            self.assertTrue(result["ok"], result)
        result = self.make_jsonrpc_request(check, {"saas_subdomain": "taken-one"})
        self.assertEqual(
            result,
            {
                "ok": False,
                "subdomain": "taken-one",
                "error": "Too many subdomain checks: please wait a minute and try "
                "again.",
            },
        )
        # the form route shares the allowance
        page = self._save("x-y-z")
        self.assertEqual(page.status_code, 429)
        self.assertEqual(page.headers["Retry-After"], "60")
        self.assertIn("Too many subdomain checks", page.text)
        # another session is not affected (the address is still under its limit)
        self.authenticate(None, None)
        result = self.make_jsonrpc_request(check, {"saas_subdomain": "acme-new"})
        self.assertNotIn("Too many", result["error"])

    def test_check_is_rate_limited_per_address(self):
        self.startPatcher(patch.object(checkout, "ADDRESS_LIMIT", 2))
        check = "/shop/saas_subdomain/check"
        for _session in range(2):
            self.authenticate(None, None)  # a new session each time
            result = self.make_jsonrpc_request(check, {"saas_subdomain": "acme"})
            self.assertNotIn("Too many", result["error"])
        self.authenticate(None, None)
        result = self.make_jsonrpc_request(check, {"saas_subdomain": "acme"})
        self.assertFalse(result["ok"])
        self.assertIn("Too many subdomain checks", result["error"])

    def test_check_adds_no_tracking_to_the_order(self):
        order = self._cart()
        self.url_open("/shop/payment")
        check = "/shop/saas_subdomain/check"
        for value in ("acme-one", "acme-two", "taken-one"):
            self.make_jsonrpc_request(check, {"saas_subdomain": value})
        order.invalidate_recordset()
        self.assertEqual(order.saas_subdomain, "taken-one")
        tracked = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "sale.order"),
                ("mail_message_id.res_id", "=", order.id),
                ("field_id.name", "=", "saas_subdomain"),
            ]
        )
        self.assertFalse(tracked)

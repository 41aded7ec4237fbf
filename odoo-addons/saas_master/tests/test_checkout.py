import json

from odoo.tests import HttpCase, tagged

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
        self.assertNotIn('id="payment_method"', response.text)
        self.assertEqual(order.saas_subdomain, "taken-one")
        result = self.make_jsonrpc_request(
            "/shop/saas_subdomain/check", {"saas_subdomain": "www"}
        )
        self.assertFalse(result["ok"])
        self.assertIn("reserved", result["error"])
        response = self._save("acme-shop")
        self.assertNotIn("already taken", response.text)
        self.assertEqual(order.saas_subdomain, "acme-shop")
        result = self.make_jsonrpc_request(
            "/shop/saas_subdomain/check", {"saas_subdomain": "acme-new"}
        )
        self.assertEqual(result, {"ok": True, "subdomain": "acme-new", "error": ""})

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

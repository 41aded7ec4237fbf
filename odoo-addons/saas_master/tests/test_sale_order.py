import json

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestSaleOrder(SaasCase):
    def test_admin_confirm_creates_instance_and_event(self):
        order = self._confirmed_order(self.customer, self.plan_basic, "acme")
        instance = order.saas_instance_ids
        self.assertEqual(len(instance), 1)
        self.assertEqual(instance.state, "draft")
        self.assertEqual(instance.subdomain, "acme")
        self.assertEqual(instance.name, "acme")
        self.assertEqual(instance.partner_id, self.customer)
        self.assertEqual(instance.plan_id, self.plan_basic)
        self.assertEqual(instance.company_name, "Acme Corp")
        self.assertEqual(instance.partner_email, "acme@example.com")
        today = fields.Date.context_today(instance)
        self.assertEqual(instance.expiration_date, today + relativedelta(months=1))
        event = self._events("order.confirmed", instance)
        self.assertEqual(len(event), 1)
        self.assertEqual(event.state, "pending")
        body = json.loads(event.payload)
        self.assertEqual(body["id"], event.uuid)
        self.assertEqual(body["type"], "order.confirmed")
        self.assertEqual(body["instance_id"], instance.id)
        self.assertEqual(
            body["data"],
            {
                "order_id": order.id,
                "order_name": order.name,
                "partner_id": self.customer.id,
                "plan_code": "basic",
                "subdomain": "acme",
                "lang": self.customer.lang,
                "country_code": self.customer.country_id.code or False,
                "currency": self.customer.country_id.currency_id.name or False,
                "tz": self.customer.tz or False,
            },
        )

    def test_event_carries_the_buyers_locale(self):
        self.customer.write(
            {"country_id": self.env.ref("base.es").id, "tz": "Europe/Madrid"}
        )
        order = self._confirmed_order(self.customer, self.plan_basic, "acme-es")
        data = json.loads(
            self._events("order.confirmed", order.saas_instance_ids).payload
        )
        self.assertEqual(data["data"]["country_code"], "ES")
        self.assertEqual(data["data"]["currency"], "EUR")
        self.assertEqual(data["data"]["tz"], "Europe/Madrid")
        self.assertEqual(data["data"]["lang"], self.customer.lang)

    def test_default_subdomain_when_untouched(self):
        order = self._confirmed_order(self.customer, self.plan_basic)
        self.assertEqual(order.saas_subdomain, "acme-corp")
        self.assertEqual(order.saas_instance_ids.subdomain, "acme-corp")

    def test_trial_expiration(self):
        self.plan_pro.saas_trial_days = 14
        order = self._confirmed_order(self.customer, self.plan_pro, "acme-trial")
        today = fields.Date.context_today(order)
        self.assertEqual(
            order.saas_instance_ids.expiration_date, today + relativedelta(days=14)
        )

    def test_second_purchase_renews(self):
        first = self._confirmed_order(self.customer, self.plan_basic, "acme")
        instance = first.saas_instance_ids
        instance.write({"state": "running", "url": "http://acme.localhost:8080"})
        second = self._order(self.customer, self.plan_basic)
        second._saas_ensure_subdomain()
        self.assertEqual(second.saas_subdomain, "acme")
        second.action_confirm()
        self.assertEqual(second.saas_instance_ids, instance)
        self.assertEqual(self.Instance.search_count([("subdomain", "=", "acme")]), 1)
        self.assertEqual(instance.sale_order_ids, first | second)
        self.assertEqual(instance.state, "running")
        self.assertEqual(len(self._events("order.confirmed", instance)), 2)
        # explicitly typed again: still the same instance
        third = self._confirmed_order(self.customer, self.plan_basic, "acme")
        self.assertEqual(third.saas_instance_ids, instance)

    def test_reconfirm_does_not_duplicate(self):
        order = self._confirmed_order(self.customer, self.plan_basic, "acme")
        order._action_cancel()
        order.action_draft()
        order.action_confirm()
        self.assertEqual(len(order.saas_instance_ids), 1)
        self.assertEqual(len(self._events("order.confirmed")), 1)

    def test_taken_subdomain_falls_back_at_confirm(self):
        self._instance(self.other_customer, "acme")
        order = self._confirmed_order(self.customer, self.plan_basic, "acme")
        self.assertEqual(order.saas_instance_ids.subdomain, "acme-2")
        self.assertEqual(order.saas_subdomain, "acme-2")

    def test_order_without_plan(self):
        product = self.env["product.product"].create({"name": "Consulting"})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": product.id})],
            }
        )
        order.action_confirm()
        self.assertFalse(order.saas_instance_ids)
        self.assertFalse(self.Event.search([]))

    def test_cart_payment_gate(self):
        order = self._order(self.customer, self.plan_basic, "www")
        with self.assertRaisesRegex(ValidationError, "reserved"):
            order._check_cart_is_ready_to_be_paid()
        order._saas_set_subdomain("  ACME-Shop ")
        self.assertEqual(order.saas_subdomain, "acme-shop")
        order._check_cart_is_ready_to_be_paid()
        order._saas_set_subdomain("")
        self.assertEqual(order.saas_subdomain, "acme-corp")

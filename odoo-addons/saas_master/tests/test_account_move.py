import json

from odoo import Command, fields
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestAccountMove(SaasCase):
    def _pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()

    def test_invoice_paid_records_event(self):
        order = self._confirmed_order(self.customer, self.plan_basic, "acme")
        instance = order.saas_instance_ids
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(instance.invoice_ids, invoice)
        self.assertEqual(instance._open_invoices(), invoice)
        self.assertFalse(self._events("invoice.paid"))
        self._pay(invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        event = self._events("invoice.paid", instance)
        self.assertEqual(len(event), 1)
        data = json.loads(event.payload)["data"]
        self.assertEqual(
            data,
            {
                "invoice_id": invoice.id,
                "invoice_name": invoice.name,
                "partner_id": self.customer.id,
                "plan_code": "basic",
                "amount": invoice.amount_total,
                "currency": invoice.currency_id.name,
            },
        )
        self.assertEqual(
            instance.last_payment_date, fields.Date.context_today(instance)
        )
        self.assertFalse(instance._open_invoices())
        # the hook firing again (e.g. re-reconciliation) does not duplicate
        invoice._saas_on_paid()
        self.assertEqual(len(self._events("invoice.paid", instance)), 1)

    def test_invoice_without_order_starts_instance(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.plan_pro.product_variant_id.id,
                            "price_unit": 39,
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        self.assertFalse(invoice.saas_instance_ids)
        self._pay(invoice)
        instance = invoice.saas_instance_ids
        self.assertEqual(len(instance), 1)
        self.assertEqual((instance.state, instance.plan_id), ("draft", self.plan_pro))
        self.assertEqual(instance.subdomain, "acme-corp")
        self.assertEqual(len(self._events("invoice.paid", instance)), 1)

    def test_renewal_invoice_links_existing_instance(self):
        instance = self._instance(self.customer, "acme", state="running")
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.plan_basic.product_variant_id.id,
                            "price_unit": 10,
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        self.assertEqual(invoice.saas_instance_ids, instance)
        self.assertEqual(instance._open_invoices(), invoice)
        self._pay(invoice)
        self.assertEqual(
            self.Instance.search_count([("partner_id", "=", self.customer.id)]), 1
        )
        self.assertEqual(len(self._events("invoice.paid", instance)), 1)

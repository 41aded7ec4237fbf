import json

from dateutil.relativedelta import relativedelta

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
        first_expiration = instance.expiration_date
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
        # the first payment pays the period set at creation: no extension
        self.assertEqual(instance.expiration_date, first_expiration)
        self.assertFalse(instance._open_invoices())
        # the hook firing again (e.g. re-reconciliation) does not duplicate
        invoice._saas_on_paid()
        self.assertEqual(len(self._events("invoice.paid", instance)), 1)
        self.assertEqual(instance.expiration_date, first_expiration)

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

    def _plan_invoice(self, plan, price):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": plan.product_variant_id.id, "price_unit": price}
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def test_renewal_extends_from_current_expiry(self):
        today = fields.Date.context_today(self.Instance)
        instance = self._instance(
            self.customer,
            "acme",
            state="running",
            last_payment_date=today - relativedelta(months=1),
            expiration_date=today + relativedelta(days=5),
        )
        self._pay(self._plan_invoice(self.plan_basic, 10))
        self.assertEqual(
            instance.expiration_date, today + relativedelta(days=5, months=1)
        )
        # long expired (suspended): one period from today
        instance.expiration_date = today - relativedelta(months=3)
        self._pay(self._plan_invoice(self.plan_basic, 10))
        self.assertEqual(instance.expiration_date, today + relativedelta(months=1))

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

from odoo import Command
from odoo.tests import TransactionCase


class SaasCase(TransactionCase):
    """Plans from the data file, a customer company, no bridge configured."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.plan_basic = cls.env.ref("saas_master.product_plan_basic")
        cls.plan_pro = cls.env.ref("saas_master.product_plan_pro")
        cls.Instance = cls.env["saas.instance"]
        cls.Event = cls.env["saas.bridge.event"]
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("saas_master.bridge_url", "")
        params.set_param("saas_master.bridge_secret", "test-secret")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Acme Corp", "email": "acme@example.com", "is_company": True}
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Globex", "email": "globex@example.com", "is_company": True}
        )

    @classmethod
    def _order(cls, partner, plan, subdomain=None):
        return cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "saas_subdomain": subdomain,
                "order_line": [
                    Command.create(
                        {"product_id": plan.product_variant_id.id, "product_uom_qty": 1}
                    )
                ],
            }
        )

    @classmethod
    def _confirmed_order(cls, partner, plan, subdomain=None):
        order = cls._order(partner, plan, subdomain)
        order.action_confirm()
        return order

    @classmethod
    def _instance(cls, partner, subdomain, plan=None, **values):
        return cls.Instance.create(
            dict(
                {
                    "partner_id": partner.id,
                    "plan_id": (plan or cls.plan_basic).id,
                    "subdomain": subdomain,
                },
                **values
            )
        )

    @classmethod
    def _portal_user(cls, login, partner, password=None):
        return (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": partner.name,
                    "login": login,
                    "password": password or login + "-pass-123",
                    "partner_id": partner.id,
                    "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
                }
            )
        )

    def _events(self, event_type, instance=None):
        domain = [("event_type", "=", event_type)]
        if instance:
            domain.append(("instance_id", "=", instance.id))
        return self.Event.search(domain)

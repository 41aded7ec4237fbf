from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestSecurity(SaasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bridge = cls.env.ref("saas_master.user_saas_bridge")
        cls.instance = cls._instance(cls.customer, "acme")
        cls.customer_contact = cls.env["res.partner"].create(
            {
                "name": "Ann Acme",
                "parent_id": cls.customer.id,
                "email": "ann@example.com",
            }
        )
        cls.other_instance = cls._instance(cls.other_customer, "globex")
        cls.ann = cls._portal_user("ann", cls.customer_contact)
        cls.gil = cls._portal_user("gil", cls.other_customer)

    def test_bridge_user_data(self):
        self.assertEqual(self.bridge.login, "saas_bridge")
        self.assertTrue(self.bridge.active)
        self.assertTrue(self.bridge.has_group("base.group_user"))
        self.assertTrue(self.bridge.has_group("saas_master.group_saas_bridge"))
        self.assertFalse(self.bridge.has_group("saas_master.group_saas_manager"))

    def test_bridge_reads_and_writes_instances(self):
        instance = self.instance.with_user(self.bridge)
        values = {
            "state": "running",
            "url": "http://acme.localhost:8080",
            "direct_url": "http://127.0.0.1:20001",
            "db_name": "tenant_acme",
            "container_ref": "abc123",
            "admin_login": "acme@example.com",
            "initial_password": "S3cret!",
            "last_error": False,
            "provisioned_at": "2026-11-22 05:00:00",
            "expiration_date": "2026-12-22",
            "usage_users": 2,
            "usage_db_mb": 30.5,
            "usage_filestore_mb": 1.5,
        }
        instance.write(values)
        read = instance.read(
            list(values)
            + [
                "partner_id",
                "plan_id",
                "subdomain",
                "company_name",
                "partner_email",
                "lang",
                "sale_order_ids",
                "invoice_ids",
            ]
        )[0]
        self.assertEqual(read["initial_password"], "S3cret!")
        self.assertEqual(read["state"], "running")
        instance.message_post(
            body="Welcome mail sent",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.assertIn("Welcome mail sent", self.instance.message_ids[0].body)
        plans = (
            self.env["product.template"]
            .with_user(self.bridge)
            .search([("saas_is_plan", "=", True)])
        )
        self.assertTrue(plans.mapped("saas_plan_code"))
        order = self._confirmed_order(self.customer, self.plan_basic, "acme-two")
        order.with_user(self.bridge).read(["name", "partner_id", "amount_total"])

    def test_bridge_cannot_create_other_things(self):
        env = self.env(user=self.bridge)
        with self.assertRaises(AccessError):
            env["product.template"].create({"name": "Hack"})
        with self.assertRaises(AccessError):
            env["res.partner"].create({"name": "Hack"})
        with self.assertRaises(AccessError):
            env["saas.instance"].create(
                {
                    "partner_id": self.customer.id,
                    "plan_id": self.plan_basic.id,
                    "subdomain": "hack",
                }
            )
        with self.assertRaises(AccessError):
            self.instance.with_user(self.bridge).unlink()
        with self.assertRaises(AccessError):
            env["sale.order"].browse(
                self._order(self.customer, self.plan_basic).id
            ).write({"note": "x"})

    def test_initial_password_hidden_from_admins(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("saas_master.group_saas_manager"))
        fields = self.env["saas.instance"].with_user(admin).fields_get()
        self.assertNotIn("initial_password", fields)
        with self.assertRaises(AccessError):
            self.instance.with_user(admin).read(["initial_password"])

    def test_portal_isolation(self):
        Instance = self.env["saas.instance"]
        self.assertEqual(Instance.with_user(self.ann).search([]), self.instance)
        self.assertEqual(Instance.with_user(self.gil).search([]), self.other_instance)
        with self.assertRaises(AccessError):
            self.other_instance.with_user(self.ann).read(["subdomain"])
        with self.assertRaises(AccessError):
            self.instance.with_user(self.ann).write({"url": "http://evil"})

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestPlan(SaasCase):
    def test_plan_data(self):
        plans = self.env["product.template"].search([("saas_is_plan", "=", True)])
        by_code = {p.saas_plan_code: p for p in plans}
        self.assertTrue({"basic", "pro", "enterprise"} <= set(by_code))
        basic, pro, ent = by_code["basic"], by_code["pro"], by_code["enterprise"]
        self.assertEqual(
            (basic.list_price, basic.saas_cpu_limit, basic.saas_memory_mb),
            (10.0, 1.0, 2048),
        )
        self.assertEqual((basic.saas_storage_mb, basic.saas_max_users), (10240, 3))
        self.assertEqual((pro.list_price, pro.saas_max_users), (39.0, 10))
        self.assertEqual(
            pro._saas_module_list(), ["contacts", "crm", "sale_management"]
        )
        self.assertEqual(basic._saas_app_list(), [])
        self.assertEqual(pro._saas_app_list(), ["project"])
        self.assertEqual(ent._saas_app_list(), ["project", "hr"])
        self.assertEqual((ent.list_price, ent.saas_memory_mb), (79.0, 8192))
        for plan in (basic, pro, ent):
            self.assertTrue(plan.is_published and plan.sale_ok)
            self.assertEqual(plan.type, "service")
            self.assertEqual(plan.invoice_policy, "order")
            self.assertEqual(plan.saas_period_months, 1)

    def test_included_apps_are_technical_names(self):
        plan = self.env.ref("saas_master.product_plan_pro")
        plan.saas_apps = " project , hr "
        self.assertEqual(plan._saas_app_list(), ["project", "hr"])
        for bad in ("Project", "hr;drop", "project,../x"):
            with self.assertRaises(ValidationError):
                plan.saas_apps = bad

    def test_plan_code_unique(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["product.template"].create(
                {"name": "Copy", "saas_is_plan": True, "saas_plan_code": "basic"}
            )
            self.env.flush_all()

    def test_plan_needs_code(self):
        with self.assertRaises(ValidationError):
            self.env["product.template"].create(
                {"name": "No code", "saas_is_plan": True}
            )

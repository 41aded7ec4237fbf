from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import SaasTenantCase


@tagged("post_install", "-at_install")
class TestPlanModules(SaasTenantCase):
    """What the bridge installs after a plan change (saas.tenant.bridge)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_plan(apps="base,contacts,crm,project")
        cls.Bridge = cls.env["saas.tenant.bridge"]

    def test_only_the_bridge_may_install(self):
        with self.assertRaises(AccessError):
            self.Bridge.with_user(self.admin).install_plan_modules(["crm"])

    def test_the_plans_missing_modules_are_the_ones_to_install(self):
        todo = self.Bridge.with_user(self.bridge)._plan_modules_to_install(
            ["base", "crm", "project"]
        )
        self.assertNotIn("base", todo.mapped("name"), "installed ones are left alone")
        expected = {"crm", "project"} - set(
            self.env["ir.module.module"]
            .search([("state", "=", "installed")])
            .mapped("name")
        )
        self.assertEqual(set(todo.mapped("name")), expected)

    def test_all_installed_installs_nothing(self):
        answer = self.Bridge.with_user(self.bridge).install_plan_modules(["base"])
        self.assertEqual(answer, [])

    def test_a_module_outside_the_plan_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "hr: not in this tenant's plan"):
            self.Bridge.with_user(self.bridge).install_plan_modules(["crm", "hr"])

    def test_an_unknown_module_is_refused(self):
        self._set_limits(apps="base,no_such_module")
        with self.assertRaisesRegex(ValidationError, "no_such_module: no such module"):
            self.Bridge.with_user(self.bridge).install_plan_modules(["no_such_module"])

    def test_names_must_be_a_list_of_text(self):
        for bad in ("crm", [1], [""], None):
            with self.assertRaises(ValidationError):
                self.Bridge.with_user(self.bridge).install_plan_modules(bad)

import json

from odoo.exceptions import RedirectWarning, UserError
from odoo.tests import tagged

from .common import SaasTenantCase

# with an upgrade link: a RedirectWarning (a button to the portal); else a UserError
REFUSED = (UserError, RedirectWarning)


@tagged("post_install", "-at_install")
class TestAppLimit(SaasTenantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_plan(
            apps="contacts,project",
            app_plans=json.dumps({"hr": "Pro", "crm": "Pro"}),
        )
        cls.Modules = cls.env["ir.module.module"].with_user(cls.admin)

    def _module(self, name):
        module = self.Modules.search([("name", "=", name)])
        self.assertEqual(module.state, "uninstalled", name)
        return module

    def test_an_app_of_the_plan_installs_with_its_dependencies_and_auto_installs(self):
        project = self._module("project")
        rating = self.Modules.search([("name", "=", "rating")])
        project.button_install()
        self.assertEqual(project.state, "to install")
        if rating.state != "installed":
            self.assertEqual(rating.state, "to install")
        # and what Odoo auto-installs with it (e.g. project_account when account is in)
        auto = self.Modules.search(
            [("state", "=", "to install"), ("auto_install", "=", True)]
        )
        self.assertTrue(auto)

    def test_another_app_is_refused_naming_the_plan_that_has_it(self):
        hr = self._module("hr")
        with self.assertRaises(RedirectWarning) as caught:
            hr.button_install()
        message, action, button = caught.exception.args[:3]
        self.assertIn("is not included in your plan Basic", message)
        self.assertIn("included in the plan Pro", message)
        self.assertIn("https://shop.example.com/my/instances/7", message)
        self.assertEqual(action["url"], "https://shop.example.com/my/instances/7")
        self.assertEqual(button, "Upgrade my plan")
        self.assertEqual(hr.state, "uninstalled")

    def test_a_module_may_not_bring_an_app_outside_the_plan(self):
        # hr_timesheet is no app, but needs hr (one) beside project (in the plan)
        with self.assertRaisesRegex(REFUSED, "Employees"):
            self._module("hr_timesheet").button_install()
        self._set_limits(apps="contacts,project,hr")
        self._module("hr_timesheet").button_install()

    def test_an_app_no_plan_has_is_refused_too(self):
        with self.assertRaisesRegex(REFUSED, "is not included in your plan Basic"):
            self._module("calendar").button_install()

    def test_the_platform_installs_any_app(self):
        hr = self._module("hr").with_user(self.bridge).sudo()
        hr.button_install()
        self.assertEqual(hr.state, "to install")

    def test_spanish_message(self):
        self._spanish()
        hr = self._module("hr").with_context(lang="es_ES")
        with self.assertRaisesRegex(REFUSED, "no está incluida en su plan Basic"):
            hr.button_install()


@tagged("post_install", "-at_install")
class TestAppLimitOffWithoutPlan(SaasTenantCase):
    def test_a_database_without_plan_installs_anything(self):
        self.assertFalse(self.Plan._is_managed())
        hr = (
            self.env["ir.module.module"]
            .with_user(self.admin)
            .search([("name", "=", "hr")])
        )
        hr.button_install()
        self.assertEqual(hr.state, "to install")

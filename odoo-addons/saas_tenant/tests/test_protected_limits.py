from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SaasTenantCase


@tagged("post_install", "-at_install")
class TestProtectedLimits(SaasTenantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_plan(max_users="3", storage_mb="10240")
        cls.as_admin = cls.env["ir.config_parameter"].with_user(cls.admin)

    def test_the_customer_admin_cannot_change_or_remove_a_limit(self):
        for params in (self.as_admin, self.as_admin.sudo()):
            with self.assertRaises(AccessError):
                params.set_param("saas_tenant.max_users", "0")
            with self.assertRaises(AccessError):
                params.set_param("saas_tenant.max_users", False)
            record = params.search([("key", "=", "saas_tenant.storage_mb")])
            with self.assertRaises(AccessError):
                record.write({"value": "999999"})
            with self.assertRaises(AccessError):
                record.unlink()
            with self.assertRaises(AccessError):
                params.create({"key": "saas_tenant.apps", "value": "crm"})
        other = self.as_admin.create({"key": "mine.key", "value": "1"})
        with self.assertRaises(AccessError):
            other.write({"key": "saas_tenant.apps"})
        self.assertEqual(self.params.get_param("saas_tenant.max_users"), "3")
        self.assertEqual(self.params.get_param("saas_tenant.storage_mb"), "10240")

    def test_the_customer_admin_keeps_their_own_parameters(self):
        self.as_admin.set_param("web.base.url.freeze", "True")
        self.assertEqual(self.as_admin.get_param("web.base.url.freeze"), "True")
        self.assertEqual(self.as_admin.get_param("saas_tenant.max_users"), "3")

    def test_the_bridge_writes_them(self):
        self.params.set_param("saas_tenant.max_users", "10")
        self.assertEqual(self.params.get_param("saas_tenant.max_users"), "10")
        self.params.set_param("saas_tenant.apps", False)
        self.assertFalse(self.params.get_param("saas_tenant.apps"))


@tagged("post_install", "-at_install")
class TestUninstallRefused(SaasTenantCase):
    def test_the_customer_admin_cannot_uninstall_saas_tenant(self):
        Modules = self.env["ir.module.module"].with_user(self.admin)
        ours = Modules.search([("name", "=", "saas_tenant")])
        with self.assertRaisesRegex(UserError, "cannot be uninstalled"):
            ours.button_uninstall()
        with self.assertRaises(UserError):
            ours.sudo().module_uninstall()
        # nor by uninstalling what it depends on
        mail = Modules.search([("name", "=", "mail")])
        with self.assertRaises(UserError):
            mail.button_uninstall()
        self.assertEqual(ours.state, "installed")
        self.assertEqual(mail.state, "installed")

    def test_the_platform_may(self):
        ours = (
            self.env["ir.module.module"]
            .with_user(self.bridge)
            .sudo()
            .search([("name", "=", "saas_tenant")])
        )
        ours.button_uninstall()
        self.assertEqual(ours.state, "to remove")

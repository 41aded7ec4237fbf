from odoo.exceptions import AccessDenied, AccessError, ValidationError
from odoo.tests import TransactionCase, tagged

# made by the bridge's passlibHash (src/services/tenant-identity.ts) for KEY below:
# the format Odoo's KEY_CRYPT_CONTEXT verifies
KEY = "5a1e0000c0ffee00badc0de00123456789abcde"
KEY_HASH = (
    "$pbkdf2-sha512$6000$MezHAXZBi6h8spdr/94zhA$"
    "NPahCOlFMhMlmD19SCKKsmCh2BN2I23vTpQCpo7H"
    "dAfNmAEIkm/8N08M90ilkejLUfTPS2A7.WCTz13ZgNfDmg"
)


@tagged("post_install", "-at_install")
class TestBridgeUser(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bridge = cls.env.ref("saas_tenant.user_bridge")
        cls.admin = cls.env.ref("base.user_admin")
        cls.Users = cls.env["res.users"].with_user(cls.admin)
        cls.params = cls.env["ir.config_parameter"].sudo()

    def _give_key(self):
        # as the bridge's postgres adapter does when it clones the template
        self.env.cr.execute(
            "INSERT INTO res_users_apikeys (name, user_id, scope, index, key) "
            "VALUES ('SaaS bridge', %s, NULL, %s, %s)",
            (self.bridge.id, KEY[:8], KEY_HASH),
        )

    def test_is_an_internal_user_without_password(self):
        self.assertEqual(self.bridge.login, "__saas_bridge__")
        self.assertTrue(self.bridge.active)
        self.assertFalse(self.bridge.share)
        self.assertTrue(self.bridge.saas_technical)
        self.env.cr.execute(
            "SELECT password FROM res_users WHERE id = %s", [self.bridge.id]
        )
        self.assertIsNone(self.env.cr.fetchone()[0])
        self.assertEqual(self.admin.id, 2, "uid 2 stays the customer's admin")

    def test_its_api_key_opens_rpc_and_nothing_else_does(self):
        self._give_key()
        Keys = self.env["res.users.apikeys"]
        self.assertEqual(Keys._check_credentials(scope="rpc", key=KEY), self.bridge.id)
        user = self.bridge.with_user(self.bridge)
        user._check_credentials(KEY, {"interactive": False})
        with self.assertRaises(AccessDenied):
            user._check_credentials(KEY, {"interactive": True})
        with self.assertRaises(AccessDenied):
            user._check_credentials("admin", {"interactive": False})

    def test_hidden_from_the_customer(self):
        self.assertNotIn(self.bridge, self.Users.search([]))
        self.assertNotIn(
            self.bridge, self.Users.with_context(active_test=False).search([])
        )
        self.assertFalse(self.Users.search([("login", "=", "__saas_bridge__")]))
        found = [uid for uid, _name in self.Users.name_search("SaaS bridge")]
        self.assertNotIn(self.bridge.id, found)
        groups = self.Users.read_group([], ["share"], ["share"])
        self.assertEqual(
            sum(g["share_count"] for g in groups), self.Users.search_count([])
        )
        # what the bridge wrote stays readable by id (chatter, followers, groups)
        self.assertEqual(self.bridge.with_user(self.admin).name, "SaaS bridge")
        counted = self.Users.search_count([])
        self.assertEqual(counted, self.env["res.users"].sudo().search_count([]) - 1)
        # the platform itself still finds it
        self.assertIn(self.bridge, self.env["res.users"].sudo().search([]))

    def test_not_counted_against_the_plan(self):
        count = self.env["res.users"]._saas_internal_user_count()
        self.env.cr.execute(
            "SELECT count(*) FROM res_users"
            " WHERE active AND share IS NOT TRUE AND id != 1"
        )
        self.assertEqual(count, self.env.cr.fetchone()[0] - 1)
        # a plan of exactly the customer's users still lets them work
        self.params.set_param("saas_tenant.max_users", str(count + 1))
        self.Users.with_context(no_reset_password=True).create(
            {
                "name": "Seat",
                "login": "seat",
                "groups_id": [(6, 0, [self.ref("base.group_user")])],
            }
        )

    def test_customer_admin_cannot_disable_delete_or_edit_it(self):
        as_admin = self.bridge.with_user(self.admin)
        for change in (
            {"active": False},
            {"login": "mine"},
            {"password": "taken-over-1"},
            {"groups_id": [(4, self.ref("base.group_system"))]},
        ):
            with self.assertRaises(AccessError):
                as_admin.write(change)
        with self.assertRaises(AccessError):
            as_admin.action_archive()
        with self.assertRaises(AccessError):
            as_admin.unlink()
        self.assertTrue(self.bridge.active)
        self.assertEqual(self.bridge.login, "__saas_bridge__")

    def test_customer_admin_cannot_make_or_hide_technical_users(self):
        user = self.Users.with_context(no_reset_password=True).create(
            {"name": "Hidden?", "login": "hidden"}
        )
        with self.assertRaises(AccessError):
            user.write({"saas_technical": True})
        with self.assertRaises(AccessError):
            self.Users.create({"name": "x", "login": "x", "saas_technical": True})

    def test_customer_admin_cannot_remove_its_key(self):
        self._give_key()
        keys = (
            self.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", self.bridge.id)])
        )
        self.assertTrue(keys)
        with self.assertRaises(AccessError):
            keys.with_user(self.admin).sudo(False)._remove()


@tagged("post_install", "-at_install")
class TestApplySetup(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bridge = cls.env.ref("saas_tenant.user_bridge")
        cls.admin = cls.env.ref("base.user_admin")
        cls.values = {
            "company_name": "Acme SL",
            "company_email": "ana@example.com",
            "admin_login": "ana@example.com",
            "admin_password": "Customer-Pass-2026",
            "plan_code": "starter",
            "max_users": 3,
            "storage_mb": 2048,
            "expiration_date": "2030-01-31",
        }

    def test_configures_company_limits_and_the_customer_admin(self):
        Bridge = self.env["saas.tenant.bridge"].with_user(self.bridge)
        self.assertTrue(Bridge.apply_setup(self.values))
        self.assertTrue(Bridge.apply_setup(self.values), "twice gives the same tenant")
        company = self.env["res.company"].search([], limit=1, order="id")
        self.assertEqual(company.name, "Acme SL")
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("saas_tenant.max_users"), "3")
        self.assertEqual(params.get_param("saas_tenant.plan_code"), "starter")
        self.assertEqual(params.get_param("saas_tenant.expiration_date"), "2030-01-31")
        self.assertEqual(self.admin.login, "ana@example.com")
        self.admin.with_user(self.admin)._check_credentials(
            "Customer-Pass-2026", {"interactive": True}
        )

    def test_several_companies_when_asked(self):
        Bridge = self.env["saas.tenant.bridge"].with_user(self.bridge)
        multi = self.env.ref("base.group_multi_company")
        Bridge.apply_setup(self.values)
        self.assertNotIn(multi, self.admin.groups_id)
        Bridge.apply_setup(dict(self.values, multi_company=True))
        self.assertIn(multi, self.admin.groups_id)
        self.env["res.company"].with_user(self.admin).create(
            {"name": "Acme Canarias SL"}
        )

    def test_only_the_bridge_may_call_it(self):
        with self.assertRaises(AccessError):
            self.env["saas.tenant.bridge"].with_user(self.admin).apply_setup(
                self.values
            )

    def test_refuses_an_incomplete_setup(self):
        Bridge = self.env["saas.tenant.bridge"].with_user(self.bridge)
        with self.assertRaisesRegex(Exception, "admin_password"):
            Bridge.apply_setup(dict(self.values, admin_password=""))
        with self.assertRaisesRegex(Exception, "max_users"):
            Bridge.apply_setup(dict(self.values, max_users="3"))

    def test_sets_the_owners_locale_and_the_platform_relay(self):
        Bridge = self.env["saas.tenant.bridge"].with_user(self.bridge)
        relay = {
            "host": "172.30.0.1",
            "port": 1025,
            "user": "relay",
            "password": "relay-secret",
            "encryption": "none",
        }
        values = dict(
            self.values,
            lang="en_US",
            tz="Europe/Madrid",
            country_code="ES",
            currency="EUR",
            mail_domain="acme.saas.test",
            mail_server=relay,
        )
        self.assertTrue(Bridge.apply_setup(values))
        self.assertTrue(Bridge.apply_setup(values), "twice gives the same tenant")
        company = self.env["res.company"].search([], limit=1, order="id")
        self.assertEqual(company.country_id.code, "ES")
        self.assertEqual(company.currency_id.name, "EUR")
        self.assertEqual((self.admin.tz, self.admin.lang), ("Europe/Madrid", "en_US"))
        servers = self.env["ir.mail_server"].search(
            [("name", "=", "Platform mail relay")]
        )
        self.assertEqual(len(servers), 1)
        self.assertEqual(
            (
                servers.smtp_host,
                servers.smtp_port,
                servers.smtp_user,
                servers.from_filter,
            ),
            ("172.30.0.1", 1025, "relay", "acme.saas.test"),
        )
        # the customer's: they may replace it with their own server
        servers.with_user(self.admin).unlink()
        self.assertFalse(servers.exists())

    def test_refuses_a_bad_locale_or_relay(self):
        Bridge = self.env["saas.tenant.bridge"].with_user(self.bridge)
        for wrong in (
            {"tz": "Mars/Olympus"},
            {"country_code": "QQ"},
            {"currency": "QQQ"},
            {"mail_server": {"port": 25}},
            {"mail_server": {"host": "relay", "port": 25, "encryption": "tls"}},
        ):
            with self.assertRaises(ValidationError, msg=str(wrong)):
                Bridge.apply_setup(dict(self.values, **wrong))

    def test_sets_the_base_url_frozen_and_only_for_the_bridge(self):
        Bridge = self.env["saas.tenant.bridge"]
        Bridge.with_user(self.bridge).set_base_url("https://erp.acme.example")
        self.assertEqual(
            self.env["ir.config_parameter"].sudo().get_param("web.base.url"),
            "https://erp.acme.example",
        )
        self.assertEqual(
            self.env["ir.config_parameter"].sudo().get_param("web.base.url.freeze"),
            "True",
        )
        Bridge.with_user(self.bridge).set_base_url("https://acme.localhost:8443")
        self.assertEqual(
            self.env["ir.config_parameter"].sudo().get_param("web.base.url"),
            "https://acme.localhost:8443",
        )
        for bad in ("javascript:alert(1)", "https://x.example/path", "", None, 12):
            with self.assertRaises(ValidationError, msg=bad):
                Bridge.with_user(self.bridge).set_base_url(bad)
        with self.assertRaises(AccessError):
            Bridge.with_user(self.admin).set_base_url("https://evil.example")
        self.assertEqual(
            self.env["ir.config_parameter"].sudo().get_param("web.base.url"),
            "https://acme.localhost:8443",
        )

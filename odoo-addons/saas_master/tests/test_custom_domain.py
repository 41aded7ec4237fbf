import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import SaasCase


class DomainCase(SaasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "saas_master.tenant_domain", "saas.example.com"
        )
        cls.mine = cls._instance(cls.customer, "acme", state="running")
        cls.theirs = cls._instance(cls.other_customer, "globex", state="running")
        cls.bridge = cls.env.ref("saas_master.user_saas_bridge")

    def _payload(self, event):
        return json.loads(event.payload)["data"]


@tagged("post_install", "-at_install")
class TestCustomDomain(DomainCase):
    def test_added_pending_with_the_cname_to_create(self):
        domain = self.mine._add_custom_domain("  ERP.Acme.com. ")
        self.assertEqual(domain.name, "erp.acme.com")
        self.assertEqual(domain.state, "pending")
        self.assertEqual(domain.cname_target, "acme.saas.example.com")
        self.assertEqual(len(domain.token), 32)
        self.assertFalse(self.mine.custom_domain_names)

    def test_refuses_what_is_not_a_domain_of_theirs(self):
        for bad in (
            "https://erp.acme.com",
            "erp.acme.com/web",
            "localhost",
            "-x.acme.com",
            "",
            "acme.saas.example.com",
            "saas.example.com",
        ):
            with self.assertRaises(UserError, msg=bad):
                self.mine._add_custom_domain(bad)

    def test_a_domain_taken_by_another_live_instance_is_refused(self):
        self.theirs._add_custom_domain("erp.globex.com")
        with self.assertRaisesRegex(UserError, "taken by another instance"):
            self.mine._add_custom_domain("erp.globex.com")
        with self.assertRaisesRegex(UserError, "already a domain of this instance"):
            self.theirs._add_custom_domain("erp.globex.com")
        # a terminated instance frees its names
        self.theirs.state = "terminated"
        self.assertEqual(
            self.mine._add_custom_domain("erp.globex.com").instance_id, self.mine
        )

    def test_new_domains_are_limited_per_customer_per_day(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "saas_master.custom_domain_daily_limit", "2"
        )
        self.mine._add_custom_domain("a.acme.com")
        self.mine._add_custom_domain("b.acme.com")
        with self.assertRaisesRegex(UserError, "last 24 hours"):
            self.mine._add_custom_domain("c.acme.com")
        self.theirs._add_custom_domain("a.globex.com")  # another customer's own count

    def test_check_sends_domain_verify_and_the_bridge_writes_back(self):
        domain = self.mine._add_custom_domain("erp.acme.com")
        domain._request_check()
        self.assertEqual(domain.state, "checking")
        event = self._events("domain.verify", self.mine)
        self.assertEqual(len(event), 1)
        self.assertEqual(
            self._payload(event),
            {"domain_id": domain.id, "domain": "erp.acme.com", "token": domain.token},
        )
        as_bridge = domain.with_user(self.bridge)
        as_bridge.bridge_check_result(False, "no_record", "")
        self.assertEqual(domain.state, "failed")
        self.assertIn("erp.acme.com has no DNS record yet", domain.message)
        as_bridge.bridge_check_result(False, "elsewhere", "203.0.113.7")
        self.assertIn("points elsewhere (203.0.113.7)", domain.message)
        self.assertIn("must point to acme.saas.example.com", domain.message)
        as_bridge.bridge_check_result(True)
        self.assertEqual(domain.state, "verified")
        self.assertFalse(domain.message)
        self.assertTrue(domain.verified_at)
        self.assertEqual(self.mine.custom_domain_names, "erp.acme.com")
        customer = self._portal_user("acme_portal_w", self.customer)
        with self.assertRaises(AccessError):
            domain.with_user(customer).bridge_check_result(True)

    def test_check_needs_a_running_instance(self):
        domain = self.mine._add_custom_domain("erp.acme.com")
        self.mine.state = "terminated"
        with self.assertRaises(UserError):
            domain._request_check()

    def test_remove_sends_domain_remove_and_forgets_it(self):
        domain = self.mine._add_custom_domain("erp.acme.com")
        domain.with_user(self.bridge).bridge_check_result(True)
        domain._request_remove()
        self.assertFalse(domain.exists())
        event = self._events("domain.remove", self.mine)
        self.assertEqual(
            self._payload(event), {"domain": "erp.acme.com", "was_verified": True}
        )
        self.assertFalse(self.mine.custom_domain_names)


@tagged("post_install", "-at_install")
class TestCustomDomainPortal(HttpCase, DomainCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._portal_user("acme_portal", cls.customer)

    def _token(self, page):
        return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    def test_add_check_and_remove_in_the_portal(self):
        self.authenticate("acme_portal", "acme_portal-pass-123")
        path = "/my/instances/%s" % self.mine.id
        page = self.url_open(path).text
        self.assertIn("o_saas_domain_add", page)
        token = self._token(page)
        response = self.url_open(
            path + "/domains", data={"csrf_token": token, "domain": "erp.acme.com"}
        )
        self.assertIn("domain=added", response.url)
        domain = self.mine.domain_ids
        self.assertEqual(domain.name, "erp.acme.com")
        self.assertIn("erp.acme.com. CNAME acme.saas.example.com.", response.text)
        self.assertNotIn(domain.token, response.text)

        response = self.url_open(
            path + "/domains", data={"csrf_token": token, "domain": "not a domain"}
        )
        self.assertIn("o_saas_domain_error", response.text)
        self.assertIn("is not a domain name like erp.example.com", response.text)

        response = self.url_open(
            path + "/domains/%s/check" % domain.id, data={"csrf_token": token}
        )
        self.assertIn("o_saas_domain_checking", response.text)
        self.assertEqual(len(self._events("domain.verify", self.mine)), 1)

        domain.with_user(self.bridge).bridge_check_result(
            False, "elsewhere", "203.0.113.7"
        )
        page = self.url_open(path).text
        self.assertIn("erp.acme.com points elsewhere (203.0.113.7)", page)

        response = self.url_open(
            path + "/domains/%s/remove" % domain.id, data={"csrf_token": token}
        )
        self.assertIn("domain=removed", response.url)
        self.assertFalse(self.mine.domain_ids)
        self.assertEqual(len(self._events("domain.remove", self.mine)), 1)

    def test_cannot_touch_the_domains_of_another_customer(self):
        theirs = self.theirs._add_custom_domain("erp.globex.com")
        self.authenticate("acme_portal", "acme_portal-pass-123")
        page = self.url_open("/my/instances/%s" % self.mine.id).text
        token = self._token(page)
        self.url_open(
            "/my/instances/%s/domains/%s/remove" % (self.theirs.id, theirs.id),
            data={"csrf_token": token},
        )
        self.url_open(
            "/my/instances/%s/domains" % self.theirs.id,
            data={"csrf_token": token, "domain": "x.globex.com"},
        )
        self.assertTrue(theirs.exists())
        self.assertEqual(self.theirs.domain_ids, theirs)

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..lib import subdomain as sd
from .common import SaasCase


@tagged("post_install", "-at_install")
class TestSubdomain(SaasCase):
    def test_format(self):
        for value in ("abc", "acme-corp", "a1b", "x" * 30, "0-0"):
            self.assertFalse(self.Instance._subdomain_error(value), value)
        for value in ("ab", "x" * 31, "-abc", "abc-", "Abc", "a_b", "a.b", "", False):
            self.assertIn(
                "not a valid subdomain", self.Instance._subdomain_error(value)
            )

    def test_format_refuses_a_trailing_newline_and_control_characters(self):
        # re's "$" matches before a final newline: "acme\n" used to pass
        for value in ("acme\n", "acme\r\n", "\nacme", "ac\x00me", "ac\tme"):
            self.assertFalse(sd.is_well_formed(value), repr(value))
            self.assertIn(
                "not a valid subdomain", self.Instance._subdomain_error(value)
            )
        with self.assertRaises(ValidationError):
            self._instance(self.customer, "acme-nl\n")

    def test_reserved(self):
        for value in ("www", "admin", "api", "localhost", "test", "ns1"):
            self.assertIn("reserved", self.Instance._subdomain_error(value))
        new = ("status", "support", "billing", "portal", "autodiscover", "mta-sts")
        for value in new + ("cdn",):
            self.assertIn("reserved", self.Instance._subdomain_error(value), value)

    def test_punycode_labels_are_reserved(self):
        # "xn--80ak6aa92e" is how a browser shows a Cyrillic look-alike of "apple"
        for value in ("xn--80ak6aa92e", "xn--pple-43d", "xn--abc"):
            self.assertIn("reserved", self.Instance._subdomain_error(value), value)
        self.assertFalse(self.Instance._subdomain_error("xn-abc"))
        # a fallback derived from it is not reserved (no endless "xn--x-2", ...)
        self.assertEqual(self.Instance._unique_subdomain("xn--abc"), "xn-abc")

    def test_subdomain_locked_once_out_of_draft(self):
        instance = self._instance(self.customer, "locked")
        instance.subdomain = "locked-2"  # draft: still the customer's choice
        for state in ("provisioning", "running", "error", "terminated"):
            instance.state = state
            with self.assertRaisesRegex(UserError, "cannot be changed any more"):
                instance.write({"subdomain": "locked-3"})
            with self.assertRaises(UserError):
                instance.sudo().subdomain = "locked-4"
            # writing the value it has is no change
            instance.write({"subdomain": "locked-2", "company_name": "Acme"})
        self.assertEqual(instance.subdomain, "locked-2")

    def test_duplicate(self):
        self._instance(self.customer, "acme")
        self.assertIn("already taken", self.Instance._subdomain_error("acme"))
        # the owner buying again is not blocked: it renews
        self.assertFalse(self.Instance._subdomain_error("acme", partner=self.customer))
        self.assertTrue(
            self.Instance._subdomain_error("acme", partner=self.other_customer)
        )
        with self.assertRaises(ValidationError):
            self._instance(self.other_customer, "acme")

    def test_duplicate_database_guard(self):
        first = self._instance(self.customer, "guarded")
        second = self._instance(self.other_customer, "guarded-2")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            # bypass the python constraint: the partial unique index still holds
            self.env.cr.execute(
                "UPDATE saas_instance SET subdomain = %s WHERE id = %s",
                (first.subdomain, second.id),
            )

    def test_terminated_frees_subdomain_once_purged(self):
        old = self._instance(self.customer, "reused")
        old.state = "terminated"
        # its database still exists until the bridge purged it (issue 9)
        self.assertTrue(self.Instance._subdomain_error("reused"))
        old.purged_at = fields.Datetime.now()
        self.assertFalse(self.Instance._subdomain_error("reused"))
        self._instance(self.other_customer, "reused")

    def test_slugify_and_unique_default(self):
        self.assertEqual(
            sd.slugify_subdomain("Café Núñez & Hijos, S.L."), "cafe-nunez-hijos-s-l"
        )
        self.assertEqual(sd.slugify_subdomain("A"), "a-erp")
        self.assertEqual(sd.slugify_subdomain("!!"), "erp")
        self.assertEqual(len(sd.slugify_subdomain("x" * 80)), 30)
        self.assertEqual(sd.tenant_db_name("acme-corp"), "tenant_acme_corp")
        self.assertEqual(self.Instance._default_subdomain(self.customer), "acme-corp")
        self._instance(self.other_customer, "acme-corp")
        self.assertEqual(self.Instance._default_subdomain(self.customer), "acme-corp-2")
        self.assertEqual(self.Instance._unique_subdomain("test"), "test-2")

    def test_default_proposes_existing_instance_of_plan(self):
        self._instance(self.customer, "acme-main", plan=self.plan_pro)
        self.assertEqual(
            self.Instance._default_subdomain(self.customer, self.plan_pro), "acme-main"
        )
        self.assertEqual(
            self.Instance._default_subdomain(self.customer, self.plan_basic),
            "acme-corp",
        )

    def test_order_refuses_text_with_control_characters(self):
        order = self._order(self.customer, self.plan_basic, "acme-corp")
        for value in ("ac\x00me", "acme\n", "a\u200bcme", "x" * 256, 42, ["acme"]):
            with self.assertRaisesRegex(ValidationError, "letters, digits and hyphens"):
                order._saas_set_subdomain(value)
        self.assertEqual(order.saas_subdomain, "acme-corp")

    def test_spanish_messages(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env.ref("base.module_saas_master")._update_translations(["es_ES"])
        Instance = self.Instance.with_context(lang="es_ES")
        self.assertIn("está reservado", Instance._subdomain_error("www"))
        self.assertIn("no es un subdominio válido", Instance._subdomain_error("-x"))
        self.assertIn("de 3 a 30", Instance._subdomain_error("-x"))
        instance = self._instance(self.customer, "acme-es", state="running")
        with self.assertRaisesRegex(UserError, "ya no se puede cambiar"):
            instance.with_context(lang="es_ES").subdomain = "acme-es-2"
        order = self._order(self.customer, self.plan_basic).with_context(lang="es_ES")
        with self.assertRaisesRegex(ValidationError, "solo letras, números y guiones"):
            order._saas_set_subdomain("a\x00b")

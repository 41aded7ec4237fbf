from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models import subdomain as sd
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

    def test_reserved(self):
        for value in ("www", "admin", "api", "localhost", "test", "ns1"):
            self.assertIn("reserved", self.Instance._subdomain_error(value))

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

    def test_terminated_frees_subdomain(self):
        old = self._instance(self.customer, "reused")
        old.state = "terminated"
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

    def test_spanish_messages(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env.ref("base.module_saas_master")._update_translations(["es_ES"])
        Instance = self.Instance.with_context(lang="es_ES")
        self.assertIn("está reservado", Instance._subdomain_error("www"))
        self.assertIn("no es un subdominio válido", Instance._subdomain_error("-x"))

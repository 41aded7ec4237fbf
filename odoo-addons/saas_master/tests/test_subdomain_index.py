import psycopg2

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestSubdomainHeldIndex(SaasCase):
    """The purge rule in PostgreSQL: one unpurged instance per subdomain at most.

    Written past the ORM's checks (plain SQL), as a second process or a bug would.
    """

    def _set_subdomain(self, instance, subdomain):
        self.env.flush_all()
        with self.env.cr.savepoint():
            self.env.cr.execute(
                "UPDATE saas_instance SET subdomain = %s WHERE id = %s",
                (subdomain, instance.id),
            )

    def test_terminated_unpurged_holds_its_subdomain_in_the_database(self):
        old = self._instance(self.customer, "acme-held", state="running")
        old.state = "terminated"
        new = self._instance(self.other_customer, "globex-new")
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger(
            "odoo.sql_db"
        ):
            self._set_subdomain(new, "acme-held")

    def test_two_live_instances_never_share_one(self):
        self._instance(self.customer, "acme-live")
        other = self._instance(self.other_customer, "globex-live", state="running")
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger(
            "odoo.sql_db"
        ):
            self._set_subdomain(other, "acme-live")

    def test_purged_frees_it_in_the_database(self):
        old = self._instance(self.customer, "acme-purged", state="running")
        old.write({"state": "terminated", "purged_at": fields.Datetime.now()})
        new = self._instance(self.other_customer, "globex-next")
        self._set_subdomain(new, "acme-purged")
        self.env.invalidate_all()
        self.assertEqual(new.subdomain, "acme-purged")
        # and a second purged one beside it is fine too (history is kept)
        new.write({"state": "terminated", "purged_at": fields.Datetime.now()})
        third = self._instance(self.customer, "acme-third")
        self._set_subdomain(third, "acme-purged")

    def test_the_index_is_the_purge_rule(self):
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            ("saas_instance_subdomain_held_uniq",),
        )
        (definition,) = self.env.cr.fetchone()
        self.assertIn("UNIQUE", definition)
        self.assertIn("purged_at IS NOT NULL", definition)

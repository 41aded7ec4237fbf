from odoo import fields
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestPurgeFreesSubdomain(SaasCase):
    """A terminated subdomain is sold again only once the bridge purged the data."""

    def test_terminated_but_not_purged_still_holds_the_subdomain(self):
        old = self._instance(self.customer, "acme-old", state="running")
        old.state = "terminated"
        self.assertFalse(old.subdomain_released)
        error = self.Instance._subdomain_error("acme-old", partner=self.other_customer)
        self.assertIn("already taken", error)

    def test_purged_frees_the_subdomain_for_another_customer(self):
        old = self._instance(self.customer, "acme-gone", state="running")
        old.write({"state": "terminated", "purged_at": fields.Datetime.now()})
        self.assertTrue(old.subdomain_released)
        self.assertFalse(
            self.Instance._subdomain_error("acme-gone", partner=self.other_customer)
        )
        new = self._instance(self.other_customer, "acme-gone")
        self.assertEqual(new.state, "draft")
        self.assertFalse(new.subdomain_released)

    def test_purged_at_alone_does_not_free_a_live_instance(self):
        live = self._instance(self.customer, "acme-live", state="suspended")
        live.purged_at = fields.Datetime.now()
        self.assertFalse(live.subdomain_released)
        self.assertTrue(
            self.Instance._subdomain_error("acme-live", partner=self.other_customer)
        )

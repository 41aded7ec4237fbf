import json
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestInstanceCreateWizard(SaasCase):
    """An admin creates an instance without an order; the bridge provisions it."""

    def _create(self, **values):
        wizard = self.env["saas.instance.create.wizard"].create(
            dict(
                {
                    "partner_id": self.customer.id,
                    "plan_id": self.plan_basic.id,
                    "subdomain": "acme-admin",
                },
                **values
            )
        )
        action = wizard.action_create()
        return self.Instance.browse(action["res_id"])

    def test_paid_instance_runs_one_period_and_is_provisioned(self):
        instance = self._create(billing="paid")
        today = fields.Date.context_today(instance)
        self.assertEqual(instance.state, "draft")
        self.assertEqual(instance.expiration_date, today + relativedelta(months=1))
        self.assertEqual(instance.last_payment_date, today)
        [event] = self._events("instance.retry", instance)
        self.assertEqual(json.loads(event.payload)["data"]["reason"], "admin")

    def test_trial_instance_expires_after_its_days(self):
        instance = self._create(billing="trial", trial_days=10)
        today = fields.Date.context_today(instance)
        self.assertTrue(instance.is_trial)
        self.assertEqual(instance.expiration_date, today + timedelta(days=10))

    def test_several_companies_is_kept_on_the_instance(self):
        self.assertFalse(self._create(billing="paid").multi_company)
        multi = self._create(billing="paid", subdomain="acme-group", multi_company=True)
        self.assertTrue(multi.multi_company)

    def test_taken_or_invalid_subdomain_is_refused(self):
        self._instance(self.other_customer, "globex")
        with self.assertRaises(UserError):
            self._create(subdomain="globex")
        with self.assertRaises(UserError):
            self._create(subdomain="-bad-")
        self.assertFalse(self.Instance.search([("subdomain", "=", "acme-admin")]))


@tagged("post_install", "-at_install")
class TestContainerLog(SaasCase):
    """The instance form's log tail asks the bridge with a request it can verify."""

    def test_signed_request_matches_the_bridge(self):
        from ..models.saas_bridge_event import sign
        from ..models.saas_instance_container_log import log_request

        url, headers = log_request("http://bridge:3000/", "s3cret", 12, 200, 1700000000)
        self.assertEqual(url, "http://bridge:3000/v1/instances/12/logs?lines=200")
        self.assertEqual(headers["X-Saas-Timestamp"], "1700000000")
        self.assertEqual(
            headers["X-Saas-Signature"], sign("s3cret", 1700000000, b"logs.12.200")
        )

    def test_no_bridge_url_is_a_clear_error(self):
        instance = self._instance(self.customer, "acme-log", state="running")
        with self.assertRaises(UserError) as refused:
            instance.action_fetch_container_log()
        self.assertIn("bridge URL is not configured", str(refused.exception.args[0]))

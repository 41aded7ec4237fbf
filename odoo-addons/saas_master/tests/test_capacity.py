from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestWaitingForCapacity(SaasCase):
    """An instance the host has no room for waits visibly; the managers hear of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.env["res.users"].create(
            {
                "name": "SaaS Manager",
                "login": "saas-capacity-manager",
                "email": "manager@example.com",
                "groups_id": [(4, cls.env.ref("saas_master.group_saas_manager").id)],
            }
        )

    def test_waiting_shows_the_reason_and_tells_the_managers(self):
        instance = self._instance(self.customer, "roomless")
        instance.write(
            {
                "state": "waiting_capacity",
                "capacity_reason": "memory: 9000 of 9000 MiB planned",
            }
        )
        message = instance.message_ids.filtered(
            lambda m: "Waiting for capacity" in (m.body or "")
        )
        self.assertEqual(len(message), 1)
        self.assertIn("memory: 9000 of 9000 MiB planned", message.body)
        self.assertIn(self.manager.partner_id, message.partner_ids)
        # a second write of the reason while it waits tells nobody again
        instance.write({"state": "waiting_capacity", "capacity_reason": "cpu"})
        self.assertEqual(
            len(
                instance.message_ids.filtered(
                    lambda m: "Waiting for capacity" in (m.body or "")
                )
            ),
            1,
        )

    def test_leaving_the_wait_clears_the_reason(self):
        instance = self._instance(
            self.customer,
            "roomagain",
            state="waiting_capacity",
            capacity_reason="connections",
        )
        instance.write({"state": "provisioning"})
        self.assertFalse(instance.capacity_reason)

    def test_plans_carry_their_footprint_and_pool(self):
        self.assertEqual(self.plan_basic.saas_expected_memory_mb, 150)
        self.assertEqual(self.plan_basic.saas_db_maxconn, 6)

    def test_admin_may_retry_a_waiting_instance(self):
        instance = self._instance(self.customer, "roomretry", state="waiting_capacity")
        instance.action_retry()
        self.assertIn("instance.retry", instance.event_ids.mapped("event_type"))

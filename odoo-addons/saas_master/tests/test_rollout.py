import json

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestRollout(SaasCase):
    """A rollout sends instance.update a batch at a time, as the bridge reports back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bridge = cls.env.ref("saas_master.user_saas_bridge")
        now = fields.Datetime.now()
        cls.instances = cls.Instance.browse()
        for name in ("one", "two", "three"):
            cls.instances |= cls._instance(
                cls.customer,
                "acme-%s" % name,
                state="running",
                provisioned_at=now,
                tenant_version="17.0.1.0.0",
            )
        # already on the target: left out
        cls.current = cls._instance(
            cls.customer,
            "acme-current",
            state="running",
            provisioned_at=now,
            tenant_version="17.0.1.1.0",
        )
        # not serving: left out
        cls.suspended = cls._instance(
            cls.other_customer, "globex-old", state="suspended", provisioned_at=now
        )

    def _rollout(self, **values):
        return self.env["saas.rollout"].create(
            dict({"target_version": "17.0.1.1.0", "batch_size": 2}, **values)
        )

    def _update_events(self):
        return [
            json.loads(event.payload)
            for event in self.Event.search(
                [("event_type", "=", "instance.update")], order="id"
            )
        ]

    def _report(self, instance, outcome, version, message="ok"):
        line = self.env["saas.rollout.line"].search(
            [("instance_id", "=", instance.id), ("state", "=", "updating")]
        )
        line.with_user(self.bridge).bridge_report(outcome, message, version)
        return line

    def test_start_sends_one_batch_of_the_instances_needing_the_version(self):
        rollout = self._rollout()
        rollout.action_start()
        self.assertEqual(rollout.state, "running")
        self.assertEqual(rollout.line_ids.instance_id, self.instances)
        events = self._update_events()
        self.assertEqual(
            [event["instance_id"] for event in events], self.instances[:2].ids
        )
        self.assertEqual(
            events[0]["data"],
            {
                "requested_by": self.env.user.login,
                "rollout_line_id": rollout.line_ids[0].id,
                "target_version": "17.0.1.1.0",
                "modules": ["saas_tenant"],
            },
        )
        self.assertEqual(
            rollout.line_ids.mapped("state"), ["updating", "updating", "pending"]
        )
        self.assertEqual(rollout.line_ids[0].version_before, "17.0.1.0.0")

    def test_each_report_sends_the_next_and_the_last_one_closes_it(self):
        rollout = self._rollout()
        rollout.action_start()
        self._report(self.instances[0], "done", "17.0.1.1.0")
        self.assertEqual(self.instances[0].tenant_version, "17.0.1.1.0")
        self.assertEqual(len(self._update_events()), 3)
        self.assertEqual(rollout.line_ids[2].state, "updating")
        self._report(self.instances[1], "done", "17.0.1.1.0")
        self._report(self.instances[2], "done", "17.0.1.1.0")
        self.assertEqual(rollout.state, "done")
        self.assertEqual(rollout.count_done, 3)
        self.assertEqual(rollout.progress, 100.0)

    def test_a_late_report_changes_nothing(self):
        rollout = self._rollout()
        rollout.action_start()
        line = self._report(self.instances[0], "done", "17.0.1.1.0")
        line.with_user(self.bridge).bridge_report("failed", "late", "17.0.1.0.0")
        self.assertEqual(line.state, "done")
        self.assertEqual(self.instances[0].tenant_version, "17.0.1.1.0")

    def test_pause_sends_nothing_new_and_resume_goes_on(self):
        rollout = self._rollout(batch_size=1)
        rollout.action_start()
        rollout.action_pause()
        self._report(self.instances[0], "done", "17.0.1.1.0")
        self.assertEqual(rollout.state, "paused")
        self.assertEqual(len(self._update_events()), 1)
        rollout.action_resume()
        self.assertEqual(len(self._update_events()), 2)
        self.assertEqual(rollout.line_ids[1].state, "updating")
        with self.assertRaises(UserError):
            rollout.action_resume()

    def test_a_failure_is_kept_and_retry_sends_it_again(self):
        rollout = self._rollout(batch_size=3)
        rollout.action_start()
        self._report(self.instances[0], "failed", "17.0.1.0.0", "migration raised")
        self._report(self.instances[1], "done", "17.0.1.1.0")
        self._report(self.instances[2], "done", "17.0.1.1.0")
        self.assertEqual(rollout.state, "failed")
        failed = rollout.line_ids[0]
        self.assertEqual(failed.message, "migration raised")
        self.assertEqual(self.instances[0].tenant_version, "17.0.1.0.0")
        rollout.action_retry_failed()
        self.assertEqual(rollout.state, "running")
        self.assertEqual((failed.state, failed.attempt), ("updating", 2))
        events = self._update_events()
        self.assertEqual(len(events), 4)
        self.assertEqual(events[-1]["instance_id"], self.instances[0].id)
        self._report(self.instances[0], "done", "17.0.1.1.0")
        self.assertEqual(rollout.state, "done")

    def test_an_instance_that_stopped_serving_is_skipped(self):
        rollout = self._rollout(batch_size=1)
        rollout.action_start()
        self.instances[1].state = "suspended"
        self._report(self.instances[0], "done", "17.0.1.1.0")
        self.assertEqual(rollout.line_ids[1].state, "skipped")
        self.assertEqual(rollout.line_ids[2].state, "updating")

    def test_nothing_to_update_is_refused(self):
        rollout = self._rollout(target_version="17.0.1.0.0")
        self.instances.tenant_version = "17.0.1.0.0"
        self.current.tenant_version = "17.0.1.0.0"
        with self.assertRaises(UserError):
            rollout.action_start()

    def test_modules_are_checked(self):
        with self.assertRaises(UserError):
            self._rollout(modules="saas_tenant; rm -rf")

    def test_the_bridge_sets_the_available_version_others_may_not(self):
        self.env["saas.rollout"].with_user(self.bridge).bridge_set_available_version(
            "17.0.1.2.0"
        )
        self.assertEqual(self._rollout().available_version, "17.0.1.2.0")
        self.assertEqual(
            self.env["saas.rollout"].create({"batch_size": 1}).target_version,
            "17.0.1.2.0",
        )
        portal = self._portal_user("rollout-portal", self.customer)
        with self.assertRaises(AccessError):
            self.env["saas.rollout"].with_user(portal).bridge_set_available_version("x")

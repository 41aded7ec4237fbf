import json

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaasCase


@tagged("post_install", "-at_install")
class TestInstanceNode(SaasCase):
    """The node a tenant runs on: written by the bridge, shown to admins."""

    def test_bridge_writes_the_node_and_a_move_replaces_it(self):
        bridge = self.env.ref("saas_master.user_saas_bridge")
        instance = self._instance(self.customer, "node-one", state="provisioning")
        as_bridge = instance.with_user(bridge)
        as_bridge.bridge_update({"state": "running", "node_name": "saas-swarm-node-1"})
        self.assertEqual(instance.node_name, "saas-swarm-node-1")
        as_bridge.write({"node_name": "saas-swarm-node-2"})
        self.assertEqual(instance.node_name, "saas-swarm-node-2")
        self.assertIn("node_name", as_bridge.read(["node_name"])[0])

    def test_node_is_shown_in_the_backend_and_not_copied(self):
        field = self.env["saas.instance"]._fields["node_name"]
        self.assertFalse(field.copy)
        self.assertTrue(field.readonly, "only the bridge knows where a tenant runs")
        for view_type in ("form", "tree"):
            arch = self.env["saas.instance"].get_view(view_type=view_type)["arch"]
            self.assertIn('name="node_name"', arch, view_type)

    def _wizard(self, instance, node):
        action = instance.action_open_move_wizard()
        self.assertEqual(action["res_model"], "saas.instance.move.wizard")
        return (
            self.env["saas.instance.move.wizard"]
            .with_context(action["context"])
            .create({"node_name": node})
        )

    def test_move_wizard_sends_the_node_to_the_bridge(self):
        instance = self._instance(self.customer, "node-move", state="running")
        instance.node_name = "saas-swarm-node-1"
        wizard = self._wizard(instance, " saas-swarm-node-2 ")
        self.assertEqual(wizard.current_node, "saas-swarm-node-1")
        wizard.action_confirm()
        event = self._events("instance.move", instance)
        self.assertEqual(len(event), 1)
        payload = json.loads(event.payload)["data"]
        self.assertEqual(payload["node"], "saas-swarm-node-2")
        self.assertEqual(payload["requested_by"], self.env.user.login)
        self.assertIn(
            "Move to saas-swarm-node-2 requested", instance.message_ids[0].body
        )

    def test_move_wizard_refuses_bad_names_same_node_and_stopped_instances(self):
        instance = self._instance(self.customer, "node-refuse", state="running")
        instance.node_name = "saas-swarm-node-1"
        for bad in ("../etc", "node one", "-x", "a" * 64):
            with self.assertRaisesRegex(UserError, "is not a node name"):
                self._wizard(instance, bad).action_confirm()
        with self.assertRaisesRegex(UserError, "already runs on"):
            self._wizard(instance, "saas-swarm-node-1").action_confirm()
        instance.state = "suspended"
        with self.assertRaisesRegex(UserError, "Only a running instance"):
            self._wizard(instance, "saas-swarm-node-2").action_confirm()
        self.assertFalse(self._events("instance.move", instance))

import json

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged

from ..lib import contract
from ..lib import subdomain as sd
from ..models import saas_instance


def _contract_file():
    """Read here on its own, not through lib/contract.py: the bridge reads it too."""
    path = "%s/contract/saas_contract.json" % get_module_path("saas_master")
    with open(path, encoding="utf-8") as contract_file:
        return json.load(contract_file)


@tagged("post_install", "-at_install")
class TestContract(TransactionCase):
    """saas_master agrees with contract/saas_contract.json, shared with the bridge."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.json = _contract_file()

    def test_lib_reads_the_file_of_the_addon(self):
        self.assertEqual(
            contract.CONTRACT_FILE,
            "%s/contract/saas_contract.json" % get_module_path("saas_master"),
        )

    def test_subdomain_rule(self):
        rule = self.json["subdomain"]
        self.assertEqual(sd.SUBDOMAIN_RE.pattern, rule["pattern"])
        self.assertEqual((sd.MIN_LENGTH, sd.MAX_LENGTH), (3, 30))
        self.assertEqual(
            (sd.MIN_LENGTH, sd.MAX_LENGTH), (rule["min_length"], rule["max_length"])
        )
        self.assertEqual(sd.RESERVED_SUBDOMAINS, frozenset(rule["reserved"]))
        self.assertEqual(sd.RESERVED_PREFIXES, tuple(rule["reserved_prefixes"]))

    def test_instance_states(self):
        field = self.env["saas.instance"]._fields["state"]
        self.assertEqual(
            [value for value, _label in field.selection], self.json["instance_states"]
        )
        stored = self.env["ir.model.fields.selection"].search(
            [("field_id.model", "=", "saas.instance"), ("field_id.name", "=", "state")]
        )
        self.assertEqual(set(stored.mapped("value")), set(self.json["instance_states"]))

    def test_event_types_and_their_data(self):
        field = self.env["saas.bridge.event"]._fields["event_type"]
        self.assertEqual(
            [value for value, _label in field.selection],
            list(self.json["event_types"]),
        )
        for event_type, keys in self.json["event_types"].items():
            self.assertEqual(contract.EVENT_DATA_KEYS[event_type], frozenset(keys))
            data = dict.fromkeys(keys, 1)
            self.assertIsNone(contract.data_problem(event_type, data))
            self.assertIn(
                "must have the keys", contract.data_problem(event_type, {}) or ""
            )
        self.assertIn("unknown event type", contract.data_problem("order.lost", {}))

    def test_a_state_without_label_stops_the_import(self):
        labels = dict(saas_instance.STATES)
        with self.assertRaisesRegex(ValueError, r"no label for \['gone'\]"):
            contract.selection(["draft", "gone"], {"draft": "Draft"})
        with self.assertRaisesRegex(ValueError, r"label without value for \['error'\]"):
            contract.selection(
                [s for s in contract.INSTANCE_STATES if s != "error"], labels
            )

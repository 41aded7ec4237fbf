"""The rules saas_master shares with the bridge: ``contract/saas_contract.json``.

The bridge (src/contract.ts) reads the same file. It sits inside this addon so that
an Odoo that mounts only odoo-addons/ has it; the bridge image copies it
(docs/contracts.md).
"""

import json
import os

CONTRACT_FILE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "contract",
    "saas_contract.json",
)


def load(path=CONTRACT_FILE):
    with open(path, encoding="utf-8") as contract_file:
        return json.load(contract_file)


CONTRACT = load()
SUBDOMAIN_RULE = CONTRACT["subdomain"]
INSTANCE_STATES = tuple(CONTRACT["instance_states"])
# event type -> the keys its data must carry
EVENT_DATA_KEYS = {
    event_type: frozenset(keys) for event_type, keys in CONTRACT["event_types"].items()
}
EVENT_TYPES = tuple(CONTRACT["event_types"])


def selection(values, labels):
    """An Odoo selection of the contract's ``values``, in their order, with ``labels``.

    Raises at import (so the module does not load) when a value has no label or a
    label no value: the code and the contract disagree.
    """
    missing = [value for value in values if value not in labels]
    extra = sorted(set(labels) - set(values))
    if missing or extra:
        raise ValueError(
            "%s disagrees with the code: no label for %s, label without value for %s"
            % (CONTRACT_FILE, missing, extra)
        )
    return [(value, labels[value]) for value in values]


def data_problem(event_type, data):
    """Why ``data`` is not what the contract asks for ``event_type``, or None.

    The contract names the keys each type must carry; more may come along (a reason, a
    pay link): the bridge reads what it knows and ignores the rest.
    """
    if event_type not in EVENT_DATA_KEYS:
        return "unknown event type %r" % (event_type,)
    missing = EVENT_DATA_KEYS[event_type] - set(data or {})
    if missing:
        return "data of %s must have the keys %s, it lacks %s" % (
            event_type,
            sorted(EVENT_DATA_KEYS[event_type]),
            sorted(missing),
        )
    return None

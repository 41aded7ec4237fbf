"""Hibernation (docs/hibernation.md): an idle instance's container is stopped.

Sleeping is a flag the bridge writes, never a state: for the subscription and the
lifecycle sweep a sleeping instance is running (it expires, is suspended and
reactivated like any running one). The contract lists it under instance_flags.
"""

from odoo import api, fields, models


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    sleeping = fields.Boolean(
        readonly=True,
        copy=False,
        help="No visit for the plan's idle time: its container is stopped and the "
        "next visit wakes it in a few seconds. Still running for the subscription.",
    )
    sleeping_since = fields.Datetime(string="Sleeping since", readonly=True, copy=False)
    # the portal's badge, rendered with t-field: a selection's label is translated like
    # the state's (ir.model.fields.selection), in the visitor's language
    sleep_badge = fields.Selection(
        [("sleeping", "Sleeping")], string="Sleeping", compute="_compute_sleep_badge"
    )

    @api.depends("sleeping", "state")
    def _compute_sleep_badge(self):
        for instance in self:
            asleep = instance.sleeping and instance.state == "running"
            instance.sleep_badge = "sleeping" if asleep else False

    @api.model
    def _saas_leaves_running(self, vals):
        return bool(vals.get("state")) and vals["state"] != "running"

    def write(self, vals):
        # a suspended (or terminated...) instance sleeps no more: the bridge stopped it
        # for another reason, and reactivation starts it awake
        if self._saas_leaves_running(vals) and "sleeping" not in vals:
            vals = dict(vals, sleeping=False, sleeping_since=False)
        return super().write(vals)

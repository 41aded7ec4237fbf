"""Hibernation (docs/hibernation.md): an idle instance's container is stopped.

Sleeping is a flag the bridge writes, never a state: for the subscription and the
lifecycle sweep a sleeping instance is running (it expires, is suspended and
reactivated like any running one). The contract lists it under instance_flags.
"""

from odoo import _, api, fields, models


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    sleeping = fields.Boolean(
        readonly=True,
        copy=False,
        help="No visit for the plan's idle time: its container is stopped and the "
        "next visit wakes it in a few seconds. Still running for the subscription.",
    )
    sleeping_since = fields.Datetime(string="Sleeping since", readonly=True, copy=False)
    # the portal's badge: translated in Python, in the visitor's language
    sleeping_label = fields.Char(compute="_compute_sleeping_label")
    sleeping_hint = fields.Char(compute="_compute_sleeping_label")

    @api.depends("sleeping", "state")
    @api.depends_context("lang")
    def _compute_sleeping_label(self):
        for instance in self:
            asleep = instance.sleeping and instance.state == "running"
            instance.sleeping_label = _("Sleeping") if asleep else False
            instance.sleeping_hint = (
                _(
                    "Resting after a while without visits: it wakes up by itself "
                    "in a few seconds when you open it."
                )
                if asleep
                else False
            )

    @api.model
    def _saas_leaves_running(self, vals):
        return bool(vals.get("state")) and vals["state"] != "running"

    def write(self, vals):
        # a suspended (or terminated...) instance sleeps no more: the bridge stopped it
        # for another reason, and reactivation starts it awake
        if self._saas_leaves_running(vals) and "sleeping" not in vals:
            vals = dict(vals, sleeping=False, sleeping_since=False)
        return super().write(vals)

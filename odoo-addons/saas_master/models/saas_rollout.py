"""Rolling updates of the running tenants (issue 14, "Updates rolled out safely").

The master decides, the bridge acts: a rollout sends ``instance.update`` for a few
instances at a time (its batch size); the bridge backs each tenant up, runs ``-u``
of the rollout's modules, checks the tenant and reports back on the instance's line
(``saas.rollout.line.bridge_report``), rolled back to that backup when the update
failed. Each report frees a place in the batch, so the next instance is sent then;
the other tenants keep serving meanwhile. The admin may pause (the lines already
sent finish, no new one is sent), resume, and retry the failed lines.
"""

import re

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

STATES = [
    ("draft", "Draft"),
    ("running", "Running"),
    ("paused", "Paused"),
    ("done", "Done"),
    ("failed", "Failed"),
]
LINE_STATES = [
    ("pending", "Pending"),
    ("updating", "Updating"),
    ("done", "Updated"),
    ("failed", "Failed"),
    ("skipped", "Skipped"),
]
# the instances that have a serving tenant to update
UPDATED_STATES = ("running",)
AVAILABLE_PARAM = "saas_master.tenant_version_available"
# what Odoo's -u accepts: technical module names, comma separated
MODULES_RE = re.compile(r"^[a-z0-9_]+(,[a-z0-9_]+)*$")
MESSAGE_MAX = 2000


class SaasRollout(models.Model):
    _name = "saas.rollout"
    _description = "SaaS Tenant Update Rollout"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(string="Name", compute="_compute_name", store=True)
    target_version = fields.Char(
        string="Target version",
        required=True,
        tracking=True,
        default=lambda self: self._available_version(),
        help="The saas_tenant version the tenants report once updated: the one the "
        "bridge offers (read from its mounted saas_tenant).",
    )
    modules = fields.Char(
        string="Modules to update",
        required=True,
        default="saas_tenant",
        help="Modules given to Odoo's -u, comma separated (e.g. saas_tenant, or "
        "base after an Odoo patch).",
    )
    batch_size = fields.Integer(
        string="Batch size",
        default=2,
        required=True,
        help="How many tenants are updated at once; the others keep serving.",
    )
    state = fields.Selection(
        STATES,
        string="State",
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    line_ids = fields.One2many(
        "saas.rollout.line", "rollout_id", string="Instances", copy=False
    )
    available_version = fields.Char(
        string="Available on the bridge",
        compute="_compute_available_version",
        help="The saas_tenant version the bridge last said it offers.",
    )
    count_total = fields.Integer(compute="_compute_progress", string="Tenants")
    count_done = fields.Integer(compute="_compute_progress", string="Updated")
    count_failed = fields.Integer(compute="_compute_progress", string="Failed")
    count_pending = fields.Integer(compute="_compute_progress", string="Waiting")
    progress = fields.Float(compute="_compute_progress", string="Progress (%)")

    _sql_constraints = [
        (
            "batch_size_positive",
            "CHECK(batch_size > 0)",
            "The batch size must be 1 or more.",
        )
    ]

    @api.depends("target_version")
    def _compute_name(self):
        for rollout in self:
            rollout.name = _("Update to %s", rollout.target_version or "?")

    def _compute_available_version(self):
        available = self._available_version()
        for rollout in self:
            rollout.available_version = available

    @api.depends("line_ids.state")
    def _compute_progress(self):
        for rollout in self:
            states = rollout.line_ids.mapped("state")
            total = len(states)
            finished = sum(1 for s in states if s in ("done", "failed", "skipped"))
            rollout.count_total = total
            rollout.count_done = states.count("done")
            rollout.count_failed = states.count("failed")
            rollout.count_pending = states.count("pending") + states.count("updating")
            rollout.progress = 100.0 * finished / total if total else 0.0

    @api.constrains("modules")
    def _check_modules(self):
        for rollout in self:
            if not MODULES_RE.match(rollout.modules or ""):
                raise UserError(
                    _(
                        "Modules to update must be technical module names separated "
                        "by commas, e.g. saas_tenant or saas_tenant,base."
                    )
                )

    @api.model
    def _available_version(self):
        return self.env["ir.config_parameter"].sudo().get_param(AVAILABLE_PARAM) or ""

    # ------------------------------------------------------------------
    # Admin buttons
    # ------------------------------------------------------------------

    def action_start(self):
        for rollout in self:
            if rollout.state != "draft":
                raise UserError(_("Only a draft rollout can be started."))
            instances = self.env["saas.instance"].search(
                [
                    ("state", "in", UPDATED_STATES),
                    ("tenant_version", "!=", rollout.target_version),
                ],
                order="id",
            )
            if not instances:
                raise UserError(
                    _(
                        "No running instance needs version %s.",
                        rollout.target_version,
                    )
                )
            rollout.line_ids = [
                fields.Command.create({"instance_id": instance.id})
                for instance in instances
            ]
            rollout.state = "running"
            rollout._advance()
        return True

    def action_pause(self):
        for rollout in self:
            if rollout.state != "running":
                raise UserError(_("Only a running rollout can be paused."))
            rollout.state = "paused"
        return True

    def action_resume(self):
        for rollout in self:
            if rollout.state != "paused":
                raise UserError(_("Only a paused rollout can be resumed."))
            rollout.state = "running"
            rollout._advance()
        return True

    def action_retry_failed(self):
        for rollout in self:
            failed = rollout.line_ids.filtered(lambda line: line.state == "failed")
            if not failed:
                raise UserError(_("This rollout has no failed instance to retry."))
            failed.write({"state": "pending"})
            rollout.state = "running"
            rollout._advance()
        return True

    # ------------------------------------------------------------------
    # Batching
    # ------------------------------------------------------------------

    def _advance(self):
        """Send the next lines while the batch has room; close a finished rollout."""
        for rollout in self:
            if rollout.state != "running":
                continue
            lines = rollout.line_ids.sorted("id")
            room = rollout.batch_size - len(
                lines.filtered(lambda line: line.state == "updating")
            )
            for line in lines.filtered(lambda line: line.state == "pending"):
                if room <= 0:
                    break
                if line._send():
                    room -= 1
            if not rollout.line_ids.filtered(
                lambda line: line.state in ("pending", "updating")
            ):
                failed = rollout.line_ids.filtered(lambda line: line.state == "failed")
                rollout.state = "failed" if failed else "done"

    # ------------------------------------------------------------------
    # Bridge entry point
    # ------------------------------------------------------------------

    @api.model
    def bridge_set_available_version(self, version):
        """The bridge says which saas_tenant version it offers (read at its start)."""
        if not (
            self.env.user.has_group("saas_master.group_saas_bridge")
            or self.env.is_system()
        ):
            raise AccessError(_("Only the SaaS bridge may set the available version."))
        if not isinstance(version, str) or not version or len(version) > 64:
            raise UserError(_("The available version must be a short text."))
        self.env["ir.config_parameter"].sudo().set_param(AVAILABLE_PARAM, version)
        return True


class SaasRolloutLine(models.Model):
    _name = "saas.rollout.line"
    _description = "SaaS Tenant Update of One Instance"
    _order = "id"

    rollout_id = fields.Many2one(
        "saas.rollout", string="Rollout", required=True, ondelete="cascade", index=True
    )
    instance_id = fields.Many2one(
        "saas.instance",
        string="Instance",
        required=True,
        ondelete="cascade",
        index=True,
    )
    state = fields.Selection(
        LINE_STATES, string="State", default="pending", required=True
    )
    attempt = fields.Integer(string="Attempt", default=0, readonly=True)
    version_before = fields.Char(string="Version before", readonly=True)
    tenant_version = fields.Char(
        string="Version now", related="instance_id.tenant_version"
    )
    message = fields.Text(string="Message", readonly=True)
    sent_at = fields.Datetime(string="Sent at", readonly=True)
    reported_at = fields.Datetime(string="Reported at", readonly=True)

    _sql_constraints = [
        (
            "instance_once",
            "unique(rollout_id, instance_id)",
            "An instance appears once in a rollout.",
        )
    ]

    def _send(self):
        """``instance.update`` for this line's instance; False when it was skipped."""
        self.ensure_one()
        instance = self.instance_id
        if instance.state not in UPDATED_STATES:
            self.write(
                {
                    "state": "skipped",
                    "message": _("Skipped: the instance is %s.", instance.state),
                }
            )
            return False
        attempt = self.attempt + 1
        rollout = self.rollout_id
        instance._enqueue_event(
            "instance.update",
            {
                # who started it, also when the bridge's report sends the next one
                "requested_by": rollout.create_uid.login or self.env.user.login,
                "rollout_line_id": self.id,
                "target_version": rollout.target_version,
                "modules": rollout.modules.split(","),
            },
            # a retry is a new request; the same attempt is never sent twice
            dedupe_key="instance.update:%s:%s" % (self.id, attempt),
        )
        self.write(
            {
                "state": "updating",
                "attempt": attempt,
                "version_before": instance.tenant_version,
                "sent_at": fields.Datetime.now(),
                "message": False,
            }
        )
        return True

    def bridge_report(self, outcome, message, version=None):
        """The bridge's result for this line: ``done`` or ``failed`` (rolled back).

        ``version`` is what the tenant reports now (the new one, or after a rollback
        the old one); the rollout then sends its next instance.
        """
        if not (
            self.env.user.has_group("saas_master.group_saas_bridge")
            or self.env.is_system()
        ):
            raise AccessError(_("Only the SaaS bridge may report an update."))
        if outcome not in ("done", "failed"):
            raise UserError(_("An update outcome is done or failed."))
        for line in self.sudo():
            if line.state != "updating":
                # a late or repeated report changes nothing once the line moved on
                continue
            line.write(
                {
                    "state": outcome,
                    "message": (message or "")[:MESSAGE_MAX],
                    "reported_at": fields.Datetime.now(),
                }
            )
            if version:
                line.instance_id.tenant_version = version
            line.instance_id.message_post(
                body=(
                    _(
                        "Updated to %(version)s: %(message)s",
                        version=version,
                        message=message,
                    )
                    if outcome == "done"
                    else _("Update not applied: %s", message)
                ),
                subtype_xmlid="mail.mt_note",
            )
            line.rollout_id._advance()
        return True

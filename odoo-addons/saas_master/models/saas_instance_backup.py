from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

# An instance whose container or data exist can be backed up and restored.
BACKUP_STATES = ("running", "suspended")


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    backup_ids = fields.One2many("saas.backup", "instance_id", string="Backups")
    backup_count = fields.Integer(compute="_compute_backup_count")
    last_backup_date = fields.Datetime(
        compute="_compute_backup_count", string="Last good backup"
    )

    @api.depends("backup_ids.state")
    def _compute_backup_count(self):
        for instance in self:
            done = instance.backup_ids.filtered(lambda b: b.state == "done")
            instance.backup_count = len(done)
            instance.last_backup_date = max(done.mapped("create_date"), default=False)

    def _check_backup_manager(self):
        if not self.env.user.has_group("saas_master.group_saas_manager"):
            raise AccessError(_("Only SaaS managers can back up or restore instances."))

    def _check_backup_state(self, label):
        for instance in self:
            if instance.state not in BACKUP_STATES:
                raise UserError(
                    _(
                        "%(action)s is not possible for %(name)s in state %(state)s.",
                        action=label,
                        name=instance.name,
                        state=dict(self._fields["state"].selection)[instance.state],
                    )
                )

    def action_backup_now(self):
        """Backup now (admins; also over JSON-RPC): a pending record and an event."""
        self._check_backup_manager()
        self._check_backup_state(_("A backup"))
        for instance in self:
            backup = (
                self.env["saas.backup"]
                .sudo()
                .create(
                    {"instance_id": instance.id, "kind": "manual", "state": "pending"}
                )
            )
            instance._enqueue_event(
                "instance.backup",
                {
                    "requested_by": self.env.user.login,
                    "kind": "manual",
                    "backup_id": backup.id,
                },
            )
            instance.message_post(
                body=_("Backup requested by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _request_restore(self, backup):
        """Roll back to ``backup``: checked here for admins and portal owners alike."""
        self.ensure_one()
        backup._check_restorable()
        if backup.instance_id != self:
            raise UserError(_("This backup belongs to another instance."))
        self._check_backup_state(_("A restore"))
        self._enqueue_event(
            "instance.restore",
            {
                "requested_by": self.env.user.login,
                "backup_id": backup.id,
                "snapshot_id": backup.snapshot_id,
            },
        )
        self.message_post(
            body=_(
                "Restore of the backup of %(date)s requested by %(user)s.",
                date=fields.Datetime.to_string(backup.create_date),
                user=self.env.user.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

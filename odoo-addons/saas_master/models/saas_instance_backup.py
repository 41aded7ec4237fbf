from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

# An instance whose container or data exist can be backed up and restored.
BACKUP_STATES = ("running", "suspended")


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    backup_ids = fields.One2many("saas.backup", "instance_id", string="Backups")
    copy_of_backup_id = fields.Many2one(
        "saas.backup",
        string="Copy of backup",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="A copy for testing: the bridge provisions this instance from this "
        "backup of another instance (neutralized: no mails, no scheduled actions) "
        "instead of the plan's template.",
    )
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

    def _create_copy(self, backup, subdomain):
        """A new instance for the same customer and plan, provisioned from ``backup``.

        The copy has its own tenant ref (so its own database, role, filestore and
        container) and its own subdomain; the bridge restores the backup into it and
        neutralizes it, then it runs like any instance.
        """
        self.ensure_one()
        self._check_backup_manager()
        backup._check_restorable()
        if backup.instance_id != self:
            raise UserError(_("This backup belongs to another instance."))
        subdomain = (subdomain or "").strip().lower()
        error = self._subdomain_error(subdomain)
        if error:
            raise UserError(error)
        copy = self.sudo().create(
            {
                "subdomain": subdomain,
                "partner_id": self.partner_id.id,
                "plan_id": self.plan_id.id,
                "company_name": self.company_name,
                "admin_login": self.admin_login,
                "expiration_date": self.expiration_date,
                "company_id": self.company_id.id,
                "copy_of_backup_id": backup.id,
            }
        )
        copy._enqueue_event(
            "instance.copy",
            {
                "requested_by": self.env.user.login,
                "backup_id": backup.id,
                "source_instance_id": self.id,
            },
        )
        note = _(
            "Copy of %(original)s from the backup of %(date)s, requested by %(user)s.",
            original=self.name,
            date=fields.Datetime.to_string(backup.create_date),
            user=self.env.user.name,
        )
        copy.message_post(body=note, subtype_xmlid="mail.mt_note")
        self.message_post(
            body=_(
                "Copied into %(copy)s from the backup of %(date)s by %(user)s.",
                copy=copy.name,
                date=fields.Datetime.to_string(backup.create_date),
                user=self.env.user.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return copy

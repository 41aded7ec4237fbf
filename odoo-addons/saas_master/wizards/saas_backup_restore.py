from odoo import _, api, fields, models


class SaasBackupRestore(models.TransientModel):
    _name = "saas.backup.restore"
    _description = "Restore a SaaS backup"

    backup_id = fields.Many2one("saas.backup", required=True, ondelete="cascade")
    instance_id = fields.Many2one(related="backup_id.instance_id")
    warning = fields.Text(compute="_compute_warning")

    @api.depends("backup_id")
    def _compute_warning(self):
        for wizard in self:
            wizard.warning = _(
                "%(name)s will be stopped and its database and files replaced by the "
                "backup of %(date)s. Everything changed since then will be lost: "
                "new or edited records, documents, attachments and users. A backup of "
                "the current state is taken first, so this can be undone.",
                name=wizard.instance_id.name or "",
                date=fields.Datetime.to_string(wizard.backup_id.create_date) or "",
            )

    def action_confirm(self):
        self.ensure_one()
        self.instance_id._check_backup_manager()
        self.instance_id._request_restore(self.backup_id)
        return {"type": "ir.actions.act_window_close"}

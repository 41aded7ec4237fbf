from odoo import _, api, fields, models


class SaasBackupCopy(models.TransientModel):
    _name = "saas.backup.copy"
    _description = "Restore a SaaS backup into a new instance"

    backup_id = fields.Many2one("saas.backup", required=True, ondelete="cascade")
    instance_id = fields.Many2one(related="backup_id.instance_id")
    subdomain = fields.Char(
        required=True, help="Where the copy answers: <subdomain>.<tenant domain>."
    )
    explanation = fields.Text(compute="_compute_explanation")

    @api.depends("backup_id")
    def _compute_explanation(self):
        for wizard in self:
            wizard.explanation = _(
                "A new instance for the same customer and plan is made from the backup "
                "of %(date)s of %(name)s. The copy sends no emails and runs no "
                "scheduled actions; its users log in as in the original. %(name)s "
                "itself is not touched.",
                name=wizard.instance_id.name or "",
                date=fields.Datetime.to_string(wizard.backup_id.create_date) or "",
            )

    def action_confirm(self):
        self.ensure_one()
        copy = self.instance_id._create_copy(self.backup_id, self.subdomain)
        return {
            "type": "ir.actions.act_window",
            "res_model": "saas.instance",
            "res_id": copy.id,
            "view_mode": "form",
            "target": "current",
        }

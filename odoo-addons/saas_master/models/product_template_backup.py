from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    saas_backup_interval_hours = fields.Integer(
        string="Backup every (hours)",
        default=24,
        help="How often the bridge backs up each instance of this plan.",
    )
    saas_backup_keep = fields.Integer(
        string="Backups kept",
        default=7,
        help="How many backups of each instance are kept; older ones are removed.",
    )

    @api.constrains("saas_is_plan", "saas_backup_interval_hours", "saas_backup_keep")
    def _check_saas_backup_policy(self):
        for template in self.filtered("saas_is_plan"):
            if template.saas_backup_interval_hours < 1 or template.saas_backup_keep < 1:
                raise ValidationError(
                    _("A plan backs up at least hourly and keeps at least one backup.")
                )

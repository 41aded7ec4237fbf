from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    saas_final_backup_days = fields.Integer(
        string="Final backup kept",
        config_parameter="saas_master.final_backup_days",
        default=30,
        help="Days a deleted instance's final backup is kept (the customer can still "
        "download it in the portal); then its backups are removed from storage.",
    )

    @api.constrains("saas_final_backup_days")
    def _check_saas_final_backup_days(self):
        for settings in self:
            if settings.saas_final_backup_days < 0:
                raise ValidationError(_("Days cannot be negative."))

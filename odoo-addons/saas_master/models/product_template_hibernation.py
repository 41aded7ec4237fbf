from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    saas_idle_minutes = fields.Integer(
        string="Sleep after idle (minutes)",
        default=0,
        help="Minutes without a visit before an instance of this plan is put to sleep "
        "(its container stopped; the next visit wakes it in a few seconds). "
        "0 = never sleeps.",
    )

    @api.constrains("saas_is_plan", "saas_idle_minutes")
    def _check_saas_idle_minutes(self):
        for template in self.filtered("saas_is_plan"):
            if template.saas_idle_minutes < 0:
                raise ValidationError(
                    _("The idle time before sleeping is 0 (never) or more minutes.")
                )

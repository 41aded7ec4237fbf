from odoo import _, api, models
from odoo.exceptions import AccessError

from .saas_tenant_plan import PREFIX


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    def _saas_check_protected(self, keys):
        """The plan's limits are the bridge's: the customer's admin (Settings rights,
        even through sudo()) can read them but not change or remove them."""
        if not any(key and key.startswith(PREFIX) for key in keys):
            return
        if not self.env["saas.tenant.plan"]._is_platform():
            raise AccessError(
                _(
                    "The limits of your plan are managed by the SaaS platform and "
                    "cannot be changed here."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._saas_check_protected([vals.get("key") for vals in vals_list])
        return super().create(vals_list)

    def write(self, vals):
        self._saas_check_protected(self.sudo().mapped("key") + [vals.get("key")])
        return super().write(vals)

    def unlink(self):
        self._saas_check_protected(self.sudo().mapped("key"))
        return super().unlink()

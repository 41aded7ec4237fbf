from odoo import api, models

CONTENT_KEYS = ("datas", "raw", "db_datas")
# the web client's asset bundles are attachments of views: refusing them breaks the UI
EXEMPT_MODELS = ("ir.ui.view",)


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.model
    def _saas_adds_content(self, vals, res_models=None):
        if not any(vals.get(key) for key in CONTENT_KEYS):
            return False
        if res_models is None:
            res_models = [vals.get("res_model")]
        elif "res_model" in vals:
            res_models = list(res_models) + [vals["res_model"]]
        return not all(res_model in EXEMPT_MODELS for res_model in res_models)

    @api.model_create_multi
    def create(self, vals_list):
        # over the plan's quota new files are refused; what is stored stays
        if any(self._saas_adds_content(vals) for vals in vals_list):
            self.env["saas.tenant.plan"]._check_storage()
        return super().create(vals_list)

    def write(self, vals):
        if self and self._saas_adds_content(vals, self.sudo().mapped("res_model")):
            self.env["saas.tenant.plan"]._check_storage()
        return super().write(vals)

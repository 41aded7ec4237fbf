from odoo import _, models
from odoo.exceptions import AccessError


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    def _remove(self):
        # any system user may remove anyone's keys; the bridge's key is ours
        if not self.env.su and not self.env.user.saas_technical:
            if any(key.sudo().user_id.saas_technical for key in self):
                raise AccessError(_("This API key is managed by the SaaS platform."))
        return super()._remove()

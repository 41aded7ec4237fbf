from odoo import models


class ResGroups(models.Model):
    _inherit = "res.groups"

    def write(self, vals):
        # Adding users to a group (e.g. Internal User) can make them internal.
        Users = self.env["res.users"]
        if "users" not in vals or not Users._saas_max_users():
            return super().write(vals)
        before = Users._saas_internal_user_count()
        res = super().write(vals)
        Users._saas_check_user_limit(count_before=before)
        return res

"""Plan limits written by the bridge as ir.config_parameter (docs/contracts.md):
``saas_tenant.max_users`` (0 or missing = unlimited), ``saas_tenant.storage_mb``,
``saas_tenant.plan_code``, ``saas_tenant.expiration_date``.
"""

import logging

from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

PARAM_MAX_USERS = "saas_tenant.max_users"
# Writes that can turn a user into an active internal one.
GROUP_KEYS_PREFIXES = ("in_group_", "sel_groups_")


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _saas_max_users(self):
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_MAX_USERS)
        try:
            return max(int(value or 0), 0)
        except (TypeError, ValueError):
            _logger.warning(
                "saas_tenant: ignoring invalid %s=%r", PARAM_MAX_USERS, value
            )
            return 0

    @api.model
    def _saas_internal_user_count(self):
        """Active internal users, OdooBot/__system__ excluded."""
        self.env["res.users"].flush_model(["active", "share"])
        return (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=True)
            .search_count([("share", "=", False), ("id", "!=", SUPERUSER_ID)])
        )

    @api.model
    def _saas_check_user_limit(self, count_before=None):
        limit = self._saas_max_users()
        if not limit:
            return
        count = self._saas_internal_user_count()
        if count > limit and (count_before is None or count > count_before):
            raise UserError(
                _(
                    "Your plan allows %(limit)s users and this would make %(count)s "
                    "active internal users. Deactivate a user or upgrade your plan.",
                    limit=limit,
                    count=count,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        if any(not user.share and user.active for user in users):
            self._saas_check_user_limit()
        return users

    def write(self, vals):
        relevant = vals.get("active") or any(
            key == "groups_id" or key.startswith(GROUP_KEYS_PREFIXES) for key in vals
        )
        if not relevant or not self._saas_max_users():
            return super().write(vals)
        before = self._saas_internal_user_count()
        res = super().write(vals)
        self._saas_check_user_limit(count_before=before)
        return res

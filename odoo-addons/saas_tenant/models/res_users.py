"""Plan limits written by the bridge as ir.config_parameter (docs/contracts.md):
``saas_tenant.max_users`` (0 or missing = unlimited), ``saas_tenant.storage_mb``,
``saas_tenant.plan_code``, ``saas_tenant.expiration_date``.
"""

import logging

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

_logger = logging.getLogger(__name__)

PARAM_MAX_USERS = "saas_tenant.max_users"
# Writes that can turn a user into an active internal one.
GROUP_KEYS_PREFIXES = ("in_group_", "sel_groups_")


class ResUsers(models.Model):
    _inherit = "res.users"

    saas_technical = fields.Boolean(
        string="SaaS technical user",
        readonly=True,
        copy=False,
        help="The SaaS bridge's own user: hidden, not counted, not editable.",
    )

    # ------------------------------------------------------------------
    # The bridge's technical user: hidden, protected, not counted
    # ------------------------------------------------------------------

    def _saas_acting_as_platform(self):
        """Superuser mode (Odoo itself, module installs) or the bridge's own user."""
        return self.env.su or self.env.user.saas_technical

    # Hidden from searches, counts, name lookups and groupings (Settings > Users,
    # many2one dropdowns, the users counter), not from reads by id: Odoo reads records
    # through _search([("id", "in", ids)]), and hiding it there would break every
    # screen that shows something the bridge wrote.
    def _saas_visible(self, domain):
        if self._saas_acting_as_platform():
            return domain
        return expression.AND([[("saas_technical", "=", False)], list(domain or [])])

    @api.model
    def search_fetch(self, domain, field_names, offset=0, limit=None, order=None):
        return super().search_fetch(
            self._saas_visible(domain), field_names, offset, limit, order
        )

    @api.model
    def search_count(self, domain, limit=None):
        return super().search_count(self._saas_visible(domain), limit=limit)

    @api.model
    def _name_search(self, name, domain=None, operator="ilike", limit=None, order=None):
        return super()._name_search(
            name, self._saas_visible(domain), operator, limit, order
        )

    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        return super()._read_group(
            self._saas_visible(domain),
            groupby,
            aggregates,
            having,
            offset,
            limit,
            order,
        )

    def _saas_check_not_technical(self):
        if self._saas_acting_as_platform():
            return
        if any(user.saas_technical for user in self.sudo()):
            raise AccessError(
                _("This user is managed by the SaaS platform and cannot be changed.")
            )

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
            .search_count(
                [
                    ("share", "=", False),
                    ("id", "!=", SUPERUSER_ID),
                    ("saas_technical", "=", False),
                ]
            )
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
        if not self.env.su and any(vals.get("saas_technical") for vals in vals_list):
            raise AccessError(_("Only the SaaS platform creates technical users."))
        users = super().create(vals_list)
        if any(not user.share and user.active for user in users):
            self._saas_check_user_limit()
        return users

    def write(self, vals):
        self._saas_check_not_technical()
        if "saas_technical" in vals and not self.env.su:
            raise AccessError(_("Only the SaaS platform marks technical users."))
        relevant = vals.get("active") or any(
            key == "groups_id" or key.startswith(GROUP_KEYS_PREFIXES) for key in vals
        )
        if not relevant or not self._saas_max_users():
            return super().write(vals)
        before = self._saas_internal_user_count()
        res = super().write(vals)
        self._saas_check_user_limit(count_before=before)
        return res

    def unlink(self):
        self._saas_check_not_technical()
        return super().unlink()

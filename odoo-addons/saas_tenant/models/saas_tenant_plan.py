"""The plan as the tenant sees it: the limits the bridge writes, and what they measure.

The bridge writes these ``ir.config_parameter`` keys (docs/contracts.md, "Tenant
addon"); only it (or Odoo itself, uid 1) may change them (ir_config_parameter.py).
"""

import json
import logging
import time

from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import RedirectWarning, UserError

_logger = logging.getLogger(__name__)

PREFIX = "saas_tenant."
KEYS = (
    "plan_code",
    "plan_name",
    "max_users",
    "storage_mb",
    "expiration_date",
    "apps",
    "app_plans",
    "upgrade_url",
)
# attachments are created often (mail, reports): measuring costs two queries, and
# a minute old is close enough for a quota counted in megabytes
USAGE_TTL_S = 60
WARN_RATIO = 0.8
_usage_cache = {}


class SaasTenantPlan(models.AbstractModel):
    _name = "saas.tenant.plan"
    _description = "SaaS plan limits of this tenant"

    @api.model
    def _is_platform(self):
        """Odoo itself (installs, uid 1) or the bridge's own user; sudo() is not."""
        return self.env.uid == SUPERUSER_ID or self.env.user.saas_technical

    @api.model
    def _param(self, key):
        return self.env["ir.config_parameter"].sudo().get_param(PREFIX + key) or ""

    @api.model
    def _int_param(self, key):
        value = self._param(key)
        try:
            return max(int(value or 0), 0)
        except ValueError:
            _logger.warning("saas_tenant: invalid %s%s=%r", PREFIX, key, value)
            return 0

    @api.model
    def _is_managed(self):
        """A tenant the bridge gave a plan (templates and test databases have none)."""
        return bool(self._param("plan_code"))

    @api.model
    def _plan_name(self):
        return self._param("plan_name") or self._param("plan_code")

    @api.model
    def _allowed_apps(self):
        return {name.strip() for name in self._param("apps").split(",") if name.strip()}

    @api.model
    def _plan_with_app(self, name):
        try:
            plans = json.loads(self._param("app_plans") or "{}")
        except ValueError:
            return False
        return isinstance(plans, dict) and plans.get(name) or False

    # ------------------------------------------------------------------
    # storage: database + filestore against saas_tenant.storage_mb
    # ------------------------------------------------------------------

    @api.model
    def _storage_usage_mb(self, fresh=False):
        """(database MB, filestore MB), measured at most once a minute per worker."""
        dbname = self.env.cr.dbname
        cached = _usage_cache.get(dbname)
        if cached and not fresh and time.monotonic() - cached[0] < USAGE_TTL_S:
            return cached[1]
        cr = self.env.cr
        cr.execute("SELECT pg_database_size(current_database())")
        db_bytes = cr.fetchone()[0]
        # one file per checksum: attachments sharing content share the file
        cr.execute(
            "SELECT COALESCE(SUM(size), 0) FROM ("
            " SELECT MAX(file_size) AS size FROM ir_attachment"
            " WHERE store_fname IS NOT NULL GROUP BY store_fname) AS files"
        )
        fs_bytes = cr.fetchone()[0]
        usage = (db_bytes / 1048576.0, fs_bytes / 1048576.0)
        _usage_cache[dbname] = (time.monotonic(), usage)
        return usage

    @api.model
    def _storage_state(self):
        """(used MB, quota MB or 0 for unlimited)."""
        return sum(self._storage_usage_mb()), self._int_param("storage_mb")

    @api.model
    def _check_storage(self):
        quota = self._int_param("storage_mb")
        if not quota or self._is_platform():
            return
        used = sum(self._storage_usage_mb())
        if used <= quota:
            return
        message = _(
            "Your storage is full: %(used)s MB used of the %(quota)s MB of your plan "
            "%(plan)s. New files cannot be added; nothing already stored is lost. "
            "Delete files you no longer need or upgrade your plan.",
            used=round(used),
            quota=quota,
            plan=self._plan_name(),
        )
        # a plain UserError: upload routes (chatter, binary fields) show its text
        url = self._param("upgrade_url")
        raise UserError("%s\n%s" % (message, url) if url else message)

    # ------------------------------------------------------------------
    # apps: saas_tenant.apps, the other plans in saas_tenant.app_plans
    # ------------------------------------------------------------------

    @api.model
    def _check_app(self, module):
        if module.name in self._allowed_apps():
            return
        other = self._plan_with_app(module.name)
        if other:
            message = _(
                "The app %(app)s is not included in your plan %(plan)s. It is "
                "included in the plan %(other)s: upgrade your plan to use it.",
                app=module.shortdesc,
                plan=self._plan_name(),
                other=other,
            )
        else:
            message = _(
                "The app %(app)s is not included in your plan %(plan)s.",
                app=module.shortdesc,
                plan=self._plan_name(),
            )
        self._raise_with_upgrade(message)

    @api.model
    def _raise_with_upgrade(self, message):
        url = self._param("upgrade_url")
        if not url:
            raise UserError(message)
        raise RedirectWarning(
            "%s\n%s" % (message, url),
            {"type": "ir.actions.act_url", "url": url, "target": "new"},
            _("Upgrade my plan"),
        )

    # ------------------------------------------------------------------
    # the admins' banner (static/src/plan_banner)
    # ------------------------------------------------------------------

    @api.model
    def banner_info(self):
        """What the banner shows the tenant's administrators; False for others."""
        if not self.env.user.has_group("base.group_system") or not self._is_managed():
            return False
        users = self.env["res.users"]._saas_internal_user_count()
        max_users = self._int_param("max_users")
        used, quota = self._storage_state()
        ratio = used / quota if quota else 0
        parts = [
            _("Plan %(plan)s", plan=self._plan_name()),
            _("Users %(count)s/%(max)s", count=users, max=max_users or "∞"),
            _(
                "Storage %(used)s/%(quota)s MB",
                used=round(used),
                quota=quota or "∞",
            ),
        ]
        expiry = self._param("expiration_date")
        if expiry:
            parts.append(_("Until %(date)s", date=expiry))
        warning = False
        if ratio >= 1:
            warning = _("Storage full: new files are refused. Upgrade your plan.")
        elif ratio >= WARN_RATIO:
            warning = _(
                "Storage %(percent)s %% full. Upgrade your plan before it is full.",
                percent=int(ratio * 100),
            )
        return {
            "text": " · ".join(parts),
            "warning": warning,
            "upgrade_url": self._param("upgrade_url") or False,
        }

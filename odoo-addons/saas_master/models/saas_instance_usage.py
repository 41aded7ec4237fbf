"""Usage of an instance against its plan, as the bridge measured it from outside.

The bridge writes ``usage_users``, ``usage_db_mb`` and ``usage_filestore_mb`` every
hour; the shares against the plan are stored so that admins can filter the
instances above 80 % of any limit. Storage crossing 80 % of the quota asks the bridge
for a mail to the customer (``instance.storage_warning``), once per crossing.
"""

from odoo import _, api, fields, models

# share of a limit from which an instance shows in the "over 80 %" filter
USAGE_ALERT_PCT = 80.0


def _share(used, limit):
    """``used`` as a percentage of ``limit``; 0 when the plan has no such limit."""
    return round(100.0 * used / limit, 1) if limit and limit > 0 else 0.0


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    plan_max_users = fields.Integer(related="plan_id.saas_max_users")
    plan_storage_mb = fields.Integer(related="plan_id.saas_storage_mb")
    usage_storage_mb = fields.Float(
        string="Storage used (MB)",
        compute="_compute_usage_share",
        store=True,
        help="Database and filestore, as the bridge last measured them.",
    )
    usage_users_pct = fields.Float(
        string="Users (% of plan)", compute="_compute_usage_share", store=True
    )
    usage_storage_pct = fields.Float(
        string="Storage (% of plan)", compute="_compute_usage_share", store=True
    )
    usage_storage_warned = fields.Boolean(
        string="Storage warning sent",
        readonly=True,
        copy=False,
        help="The customer was mailed that the storage passed 80 % of the plan; "
        "cleared when it falls below again, so the next crossing warns again.",
    )
    usage_over_80 = fields.Boolean(
        string="Over 80 % of a limit",
        compute="_compute_usage_share",
        store=True,
        index=True,
    )

    @api.depends(
        "usage_users",
        "usage_db_mb",
        "usage_filestore_mb",
        "plan_id.saas_max_users",
        "plan_id.saas_storage_mb",
    )
    def _compute_usage_share(self):
        for instance in self:
            storage = (instance.usage_db_mb or 0.0) + (
                instance.usage_filestore_mb or 0.0
            )
            users_pct = _share(instance.usage_users, instance.plan_id.saas_max_users)
            storage_pct = _share(storage, instance.plan_id.saas_storage_mb)
            instance.usage_storage_mb = storage
            instance.usage_users_pct = users_pct
            instance.usage_storage_pct = storage_pct
            instance.usage_over_80 = max(users_pct, storage_pct) >= USAGE_ALERT_PCT

    def write(self, vals):
        result = super().write(vals)
        if {"usage_db_mb", "usage_filestore_mb", "plan_id"} & set(vals):
            self._warn_storage_crossings()
        return result

    def _warn_storage_crossings(self):
        for instance in self:
            over = instance.usage_storage_pct >= USAGE_ALERT_PCT
            if over == instance.usage_storage_warned:
                continue
            # written with super(): this write must not come back here
            super(SaasInstance, instance).write({"usage_storage_warned": over})
            if not over or instance.state not in ("running", "suspended"):
                continue
            instance._enqueue_event(
                "instance.storage_warning",
                {
                    "used_mb": round(instance.usage_storage_mb, 1),
                    "quota_mb": instance.plan_id.saas_storage_mb,
                    "pct": instance.usage_storage_pct,
                },
            )
            instance.message_post(
                body=_(
                    "Storage at %(pct)s %% of the plan: the customer is mailed.",
                    pct=instance.usage_storage_pct,
                ),
                subtype_xmlid="mail.mt_note",
            )

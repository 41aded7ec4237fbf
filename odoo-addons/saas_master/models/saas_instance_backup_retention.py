"""How long a purged tenant's backups are kept: decided by the master's daily sweep.

The bridge keeps the tenant's restic repository (its final backup) after the purge; the
customer can still download it in the portal. Once ``saas_master.final_backup_days``
have passed since the purge, the sweep sends ``instance.backups_expired`` once; the
bridge removes the repository and marks the saas.backup records expired.
"""

from datetime import timedelta

from odoo import _, api, fields, models

FINAL_BACKUP_DAYS = ("saas_master.final_backup_days", 30)


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    final_backup_until = fields.Date(
        compute="_compute_final_backup_until",
        string="Backups kept until",
        help="A deleted instance's backups are removed from storage on this day.",
    )

    @api.model
    def _final_backup_days(self):
        key, default = FINAL_BACKUP_DAYS
        try:
            days = int(self.env["ir.config_parameter"].sudo().get_param(key, default))
        except (TypeError, ValueError):
            return default
        return days if days >= 0 else default

    @api.depends("state", "purged_at")
    def _compute_final_backup_until(self):
        days = self._final_backup_days()
        for instance in self:
            purged = instance.state == "terminated" and instance.purged_at
            instance.final_backup_until = (
                (purged.date() + timedelta(days=days)) if purged else False
            )

    @api.model
    def _sweep_final_backups(self, day):
        """Rows for the sweep's result: purged instances whose backups expire now."""
        days = self._final_backup_days()
        last_purge = fields.Datetime.to_datetime(day) - timedelta(days=days - 1)
        instances = self.sudo().search(
            [
                ("state", "=", "terminated"),
                ("purged_at", "!=", False),
                ("purged_at", "<", last_purge),
            ],
            order="id",
        )
        rows = []
        for instance in instances:
            key = "instance.backups_expired:%s" % instance.id
            if instance._event_exists(key):
                continue
            purged_on = instance.purged_at.date()
            instance._enqueue_event(
                "instance.backups_expired",
                {"purged_on": purged_on.isoformat(), "kept_days": days},
                dedupe_key=key,
            )
            instance._lifecycle_note(
                day,
                _(
                    "deleted on %(date)s: its backups (kept %(days)s days) go.",
                    date=purged_on,
                    days=days,
                ),
            )
            rows.append(
                {
                    "instance_id": instance.id,
                    "subdomain": instance.subdomain,
                    "actions": [{"action": "backups_expired", "kept_days": days}],
                }
            )
        return rows

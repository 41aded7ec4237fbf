"""Backups of instances (and of the master itself), written by the bridge.

The bridge runs restic; this model is the record the admin and the customer see:
when, why, how big, and whether it worked. A row without instance is a backup
of the master's own database.
"""

import hashlib
import hmac
import time
from urllib.parse import urlencode

from odoo import _, api, fields, models
from odoo.exceptions import UserError

DOWNLOAD_TTL = 600  # seconds a download link stays valid


def download_signature(secret, instance_id, snapshot_id, expires):
    """hex HMAC-SHA256(secret, "download.<instance>.<snapshot>.<expires>")."""
    message = "download.%s.%s.%s" % (instance_id, snapshot_id, expires)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


KINDS = [
    ("scheduled", "Scheduled"),
    ("manual", "Manual"),
    ("before-restore", "Before restore"),
    ("final", "Final"),
    ("before-update", "Before update"),
]
STATES = [
    ("pending", "Pending"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
    # a purged tenant's backups after the time they are kept: removed from storage
    ("expired", "Expired"),
]


class SaasBackup(models.Model):
    _name = "saas.backup"
    _description = "SaaS Backup"
    _order = "create_date desc, id desc"

    instance_id = fields.Many2one(
        "saas.instance",
        index=True,
        ondelete="cascade",
        help="Empty for a backup of the master database itself.",
    )
    partner_id = fields.Many2one(related="instance_id.partner_id", string="Customer")
    kind = fields.Selection(KINDS, required=True, default="manual")
    snapshot_id = fields.Char(
        string="Snapshot", index=True, copy=False, help="restic snapshot of the dump"
    )
    size_mb = fields.Float(string="Size (MB)", digits=(12, 2))
    duration_s = fields.Float(string="Duration (s)", digits=(12, 2))
    state = fields.Selection(STATES, required=True, default="pending", index=True)
    error = fields.Text()
    job_ref = fields.Char(
        string="Bridge job",
        index=True,
        copy=False,
        help="The bridge job that writes this record (retries find it again).",
    )

    @api.depends("instance_id", "create_date", "kind")
    def _compute_display_name(self):
        kinds = dict(KINDS)
        for backup in self:
            what = backup.instance_id.name or _("Master")
            when = (
                fields.Datetime.to_string(backup.create_date)
                if backup.create_date
                else ""
            )
            backup.display_name = "%s %s (%s)" % (
                what,
                when,
                kinds.get(backup.kind, ""),
            )

    def _check_restorable(self):
        for backup in self:
            if backup.state != "done" or not backup.snapshot_id:
                raise UserError(
                    _("Only a finished backup can be restored or downloaded.")
                )

    def action_open_restore_wizard(self):
        self.ensure_one()
        self._check_restorable()
        return {
            "type": "ir.actions.act_window",
            "name": _("Restore a backup"),
            "res_model": "saas.backup.restore",
            "view_mode": "form",
            "target": "new",
            "context": {"default_backup_id": self.id},
        }

    def action_open_copy_wizard(self):
        self.ensure_one()
        self._check_restorable()
        return {
            "type": "ir.actions.act_window",
            "name": _("Restore into a new instance"),
            "res_model": "saas.backup.copy",
            "view_mode": "form",
            "target": "new",
            "context": {"default_backup_id": self.id},
        }

    def _download_url(self, ttl=DOWNLOAD_TTL):
        """A short-lived link to the bridge that streams this backup as an Odoo zip.

        Signed with the bridge secret over instance, snapshot and expiry, so it
        opens this backup only, and only for a few minutes.
        """
        self.ensure_one()
        self._check_restorable()
        params = self.env["ir.config_parameter"].sudo()
        base = params.get_param("saas_master.bridge_public_url") or params.get_param(
            "saas_master.bridge_url"
        )
        secret = params.get_param("saas_master.bridge_secret")
        if not base or not secret:
            raise UserError(_("The bridge is not configured: no download possible."))
        expires = int(time.time()) + ttl
        query = {
            "instance": self.instance_id.id,
            "snapshot": self.snapshot_id,
            "expires": expires,
            "sig": download_signature(
                secret, self.instance_id.id, self.snapshot_id, expires
            ),
        }
        return "%s/v1/backups/download?%s" % (base.rstrip("/"), urlencode(query))

    def action_download(self):
        self.ensure_one()
        self.instance_id._check_backup_manager()
        return {
            "type": "ir.actions.act_url",
            "url": self._download_url(),
            "target": "self",
        }

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from .portal import SaasPortal


class SaasPortalBackup(SaasPortal):
    """The customer's own backups: download one, or roll the instance back to it."""

    def _saas_owned_backup(self, instance_id, backup_id):
        """(instance, backup) in sudo when the logged-in user owns them, else None."""
        instance_sudo = self._saas_owned_instance(instance_id)
        if not instance_sudo:
            return None, None
        backup = instance_sudo.backup_ids.filtered(lambda b: b.id == backup_id)
        if not backup or backup.state != "done" or not backup.snapshot_id:
            return instance_sudo, None
        return instance_sudo, backup

    @http.route(
        ["/my/instances/<int:instance_id>/backups/<int:backup_id>/download"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_backup_download(self, instance_id, backup_id, **kwargs):
        instance, backup = self._saas_owned_backup(instance_id, backup_id)
        if not backup:
            return request.redirect(
                "/my/instances/%s" % instance.id if instance else "/my"
            )
        return request.redirect(backup._download_url(), local=False)

    @http.route(
        ["/my/instances/<int:instance_id>/backups/<int:backup_id>/restore"],
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_backup_restore(self, instance_id, backup_id, confirm=None, **kwargs):
        instance, backup = self._saas_owned_backup(instance_id, backup_id)
        if not backup:
            return request.redirect(
                "/my/instances/%s" % instance.id if instance else "/my"
            )
        error = False
        if request.httprequest.method == "POST" and confirm == "1":
            try:
                # the owner's own instance; _request_restore checks the rest
                instance._request_restore(backup)
            except UserError as exc:
                error = exc.args[0]
            else:
                return request.redirect(
                    "/my/instances/%s?restore=requested" % instance.id
                )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "instance": instance,
                "backup": backup,
                "error": error,
                "page_name": "saas_instance",
            }
        )
        return request.render("saas_master.portal_backup_restore", values)

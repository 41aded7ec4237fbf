"""The tenant container's last log lines on the instance form, read through the bridge.

The master asks ``GET {bridge_url}/v1/instances/<id>/logs?lines=N`` signed like an
event (``X-Saas-Timestamp``, ``X-Saas-Signature`` over ``logs.<id>.<lines>``); the
bridge answers only for the container of that instance.
"""

import time

import requests

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError

from .saas_bridge_event import sign

LOG_LINES = 200
LOG_TIMEOUT_S = 10


def log_request(base_url, secret, instance_id, lines, timestamp=None):
    """(url, headers) of the signed log request the bridge checks."""
    timestamp = int(timestamp if timestamp is not None else time.time())
    message = ("logs.%s.%s" % (instance_id, lines)).encode()
    url = "%s/v1/instances/%s/logs?lines=%s" % (
        base_url.rstrip("/"),
        instance_id,
        lines,
    )
    return url, {
        "X-Saas-Timestamp": str(timestamp),
        "X-Saas-Signature": sign(secret, timestamp, message),
    }


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    container_log = fields.Text(
        string="Container log",
        copy=False,
        readonly=True,
        groups="saas_master.group_saas_manager",
    )
    container_log_at = fields.Datetime(
        string="Log read at",
        copy=False,
        readonly=True,
        groups="saas_master.group_saas_manager",
    )

    def action_fetch_container_log(self):
        """Reads the tenant container's last lines from the bridge (on demand)."""
        self.ensure_one()
        if not (
            self.env.su or self.env.user.has_group("saas_master.group_saas_manager")
        ):
            raise AccessError(_("Only SaaS managers can read container logs."))
        url, secret = self.env["saas.bridge.event"]._bridge_config()
        if not url:
            raise UserError(_("The bridge URL is not configured (Settings > SaaS)."))
        target, headers = log_request(url, secret, self.id, LOG_LINES)
        try:
            response = requests.get(target, headers=headers, timeout=LOG_TIMEOUT_S)
        except requests.RequestException as exc:
            raise UserError(
                _("The bridge could not be reached: %(error)s", error=exc)
            ) from exc
        if response.status_code != 200:
            raise UserError(
                _(
                    "The bridge answered %(status)s: %(body)s",
                    status=response.status_code,
                    body=response.text[:300],
                )
            )
        try:
            lines = response.json()["lines"]
        except (ValueError, KeyError, TypeError) as exc:
            raise UserError(_("The bridge sent no log lines.")) from exc
        self.sudo().write(
            {
                "container_log": lines if isinstance(lines, str) else "",
                "container_log_at": fields.Datetime.now(),
            }
        )
        return True

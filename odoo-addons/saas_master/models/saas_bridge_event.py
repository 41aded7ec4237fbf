"""Outbox of events for the bridge (docs/contracts.md, "Events: master -> bridge").

An event is a row written in the same transaction as the business change; it is
sent after commit (new cursor), and a cron resends what is due. Rows being sent
are locked with ``FOR UPDATE SKIP LOCKED`` so two senders never post the same
event at once; the same event always keeps the same id.
"""

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from datetime import timedelta

import requests

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError

from ..lib import contract

_logger = logging.getLogger(__name__)

SEND_TIMEOUT = 5  # seconds
BACKOFF_BASE = 30  # seconds
BACKOFF_MAX = 3600  # seconds
# 401 is not among them: a clock skew over the bridge's window or a secret rotated on
# one side only refuses every event until fixed; they wait (backoff), the admin is told
PERMANENT_FAILURES = frozenset({400, 403, 404, 409, 413, 422})
NO_URL_ERROR = "bridge URL not configured"
NO_SECRET_ERROR = "bridge secret not configured"
AUTH_ALERT_SUMMARY = "The bridge refuses our signature"
CRON_BATCH = 200
POSTCOMMIT_KEY = "saas_master.bridge_event_ids"


def sign(secret, timestamp, body):
    """``sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>``."""
    message = b"%s.%s" % (str(timestamp).encode(), body)
    digest = hmac.new((secret or "").encode(), message, hashlib.sha256).hexdigest()
    return "sha256=%s" % digest


def backoff_seconds(attempts):
    """Delay before the next try after ``attempts`` failed tries (30 s, 60 s...)."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def send_in_new_cursor(registry, dbname, ids):
    """Post-commit sender: its own cursor; never raises into the caller."""
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["saas.bridge.event"].browse(list(ids))._send_locked()
    except Exception:  # pylint: disable=broad-except
        _logger.exception("saas bridge: post-commit send failed on %s", dbname)


class SaasBridgeEvent(models.Model):
    _name = "saas.bridge.event"
    _description = "SaaS Bridge Event"
    _order = "id desc"
    _rec_name = "uuid"

    uuid = fields.Char(
        string="Event id",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: str(uuid.uuid4()),
    )
    # the contract's types (shared with the bridge), labelled with their technical names
    event_type = fields.Selection(
        [(event_type, event_type) for event_type in contract.EVENT_TYPES],
        required=True,
        readonly=True,
        index=True,
    )
    instance_id = fields.Many2one(
        "saas.instance", readonly=True, index=True, ondelete="cascade"
    )
    payload = fields.Text(
        readonly=True, help="The exact JSON body posted to the bridge."
    )
    dedupe_key = fields.Char(readonly=True, index=True, copy=False)
    state = fields.Selection(
        [("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
        default="pending",
        required=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(
        readonly=True, index=True, default=fields.Datetime.now
    )
    last_error = fields.Text(readonly=True)
    sent_at = fields.Datetime(readonly=True)
    response_code = fields.Integer(readonly=True)

    _sql_constraints = [
        ("uuid_uniq", "unique(uuid)", "The event id must be unique."),
    ]

    # ------------------------------------------------------------------
    # Creation
    # ------------------------------------------------------------------

    @api.model
    def _enqueue(self, event_type, instance, data, dedupe_key=None):
        """Record an event for ``instance`` and schedule its sending after commit.

        With a ``dedupe_key`` already used, nothing is recorded (returns the old one).
        ``data`` must carry at least the keys the contract gives ``event_type``: the
        bridge refuses anything else for good, so a mistake here is caught at once.
        """
        problem = contract.data_problem(event_type, data)
        if problem:
            raise ValueError("saas bridge event: %s" % problem)
        if dedupe_key:
            old = self.sudo().search([("dedupe_key", "=", dedupe_key)], limit=1)
            if old:
                return old
        event_id = str(uuid.uuid4())
        body = {
            "id": event_id,
            "type": event_type,
            "occurred_at": fields.Datetime.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "instance_id": instance.id if instance else None,
            "data": data,
        }
        event = self.sudo().create(
            {
                "uuid": event_id,
                "event_type": event_type,
                "instance_id": instance.id if instance else False,
                "payload": json.dumps(body, separators=(",", ":"), sort_keys=True),
                "dedupe_key": dedupe_key,
            }
        )
        event._schedule_after_commit()
        return event

    def _schedule_after_commit(self):
        cr = self.env.cr
        pending = cr.postcommit.data.setdefault(POSTCOMMIT_KEY, [])
        if not pending:
            dbname = cr.dbname
            registry = self.env.registry

            cr.postcommit.add(lambda: send_in_new_cursor(registry, dbname, pending))
        pending.extend(self.ids)

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _lock_pending(self):
        """Lock the pending rows among self that no one else is sending."""
        if not self:
            return self.browse()
        self.flush_model()
        self.env.cr.execute(
            """
            SELECT id FROM saas_bridge_event
            WHERE id IN %s AND state = 'pending'
            ORDER BY id
            FOR UPDATE SKIP LOCKED
            """,
            (tuple(self.ids),),
        )
        locked = self.browse([row[0] for row in self.env.cr.fetchall()])
        locked.invalidate_recordset()
        return locked

    def _send_locked(self):
        for event in self._lock_pending():
            event._send_now()

    def _bridge_config(self):
        params = self.env["ir.config_parameter"].sudo()
        url = (params.get_param("saas_master.bridge_url") or "").strip()
        secret = params.get_param("saas_master.bridge_secret") or ""
        return url, secret

    def _headers(self, secret, body, timestamp=None):
        self.ensure_one()
        timestamp = int(timestamp if timestamp is not None else time.time())
        return {
            "Content-Type": "application/json",
            "X-Saas-Event-Id": self.uuid,
            "X-Saas-Timestamp": str(timestamp),
            "X-Saas-Signature": sign(secret, timestamp, body),
        }

    def _send_now(self):
        """Post this event once and record the outcome. Never raises on HTTP errors."""
        self.ensure_one()
        url, secret = self._bridge_config()
        now = fields.Datetime.now()
        missing = NO_URL_ERROR if not url else NO_SECRET_ERROR if not secret else None
        if missing:
            # an empty secret would sign with a key anyone knows: nothing goes out
            self.write(
                {"state": "pending", "last_error": missing, "next_attempt_at": now}
            )
            return False
        body = (self.payload or "").encode("utf-8")
        endpoint = url.rstrip("/") + "/v1/events"
        attempts = self.attempts + 1
        try:
            response = requests.post(
                endpoint,
                data=body,
                headers=self._headers(secret, body),
                timeout=SEND_TIMEOUT,
            )
        except requests.RequestException as exc:
            return self._record_retry(attempts, str(exc) or exc.__class__.__name__, 0)
        code = response.status_code
        if 200 <= code < 300:
            self.write(
                {
                    "state": "sent",
                    "attempts": attempts,
                    "sent_at": now,
                    "response_code": code,
                    "last_error": False,
                }
            )
            return True
        error = "HTTP %s: %s" % (code, (response.text or "")[:500])
        if code in PERMANENT_FAILURES:
            self.write(
                {
                    "state": "failed",
                    "attempts": attempts,
                    "response_code": code,
                    "last_error": error,
                }
            )
            _logger.warning("saas bridge: event %s refused: %s", self.uuid, error)
            return False
        if code == 401:
            self._alert_refused_signature(error)
        return self._record_retry(attempts, error, code)

    def _alert_refused_signature(self, error):
        """An open activity for the admin on the instance, and a note each time."""
        instance = self.instance_id
        if not instance:
            _logger.warning("saas bridge: event %s refused (401): %s", self.uuid, error)
            return
        note = _(
            "The bridge refused event %(event)s with HTTP 401 (%(error)s). Events wait"
            " and are retried: check that saas_master.bridge_secret equals the"
            " bridge's BRIDGE_SHARED_SECRET and that both clocks are right.",
            event=self.uuid,
            error=error[:200],
        )
        instance.message_post(body=note, subtype_xmlid="mail.mt_note")
        summary = _("The bridge refuses our signature")
        open_alert = instance.activity_ids.filtered(lambda a: a.summary == summary)
        if not open_alert:
            admin = self.env.ref("base.user_admin", raise_if_not_found=False)
            instance.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=note,
                user_id=(admin or self.env.user).id,
            )
        _logger.warning("saas bridge: event %s refused (401): %s", self.uuid, error)

    def _record_retry(self, attempts, error, code):
        delay = backoff_seconds(attempts)
        self.write(
            {
                "state": "pending",
                "attempts": attempts,
                "response_code": code,
                "last_error": error,
                "next_attempt_at": fields.Datetime.now() + timedelta(seconds=delay),
            }
        )
        _logger.info(
            "saas bridge: event %s not delivered (%s), retry in %ss",
            self.uuid,
            error,
            delay,
        )
        return False

    @api.model
    def _cron_send_pending(self, limit=CRON_BATCH):
        """Resend due pending events, one locked row per transaction."""
        auto_commit = not (
            getattr(threading.current_thread(), "testing", False)
            or self.env.registry.in_test_mode()
        )
        done = []
        for _i in range(limit):
            self.flush_model()
            self.env.cr.execute(
                """
                SELECT id FROM saas_bridge_event
                WHERE state = 'pending'
                  AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
                  AND NOT (id = ANY(%s))
                ORDER BY next_attempt_at NULLS FIRST, id
                LIMIT 1
                FOR UPDATE SKIP LOCKED
                """,
                (fields.Datetime.now(), done),
            )
            row = self.env.cr.fetchone()
            if not row:
                break
            event = self.browse(row[0])
            event.invalidate_recordset()
            done.append(event.id)
            event._send_now()
            if auto_commit:
                self.env.cr.commit()
            if event.last_error in (NO_URL_ERROR, NO_SECRET_ERROR):
                break  # nothing else can go out either
        return len(done)

    # ------------------------------------------------------------------
    # Backend buttons
    # ------------------------------------------------------------------

    def action_send_now(self):
        """Send now (pending) or retry (failed), in the current transaction."""
        for event in self:
            if event.state == "sent":
                raise UserError(_("Event %s was already delivered.", event.uuid))
        self.filtered(lambda e: e.state == "failed").write(
            {"state": "pending", "next_attempt_at": fields.Datetime.now()}
        )
        self._send_locked()
        return True

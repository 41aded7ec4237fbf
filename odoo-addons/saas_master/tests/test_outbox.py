import hashlib
import hmac
import json
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import fields
from odoo.tests import tagged

from ..models import saas_bridge_event as outbox
from .common import SaasCase

POST = "odoo.addons.saas_master.models.saas_bridge_event.requests.post"


class FakeResponse:
    def __init__(self, status_code, text=""):
        self.status_code = status_code
        self.text = text


@tagged("post_install", "-at_install")
class TestOutbox(SaasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance = cls._instance(cls.customer, "acme")
        cls.env["ir.config_parameter"].sudo().set_param(
            "saas_master.bridge_url", "http://127.0.0.1:9/"
        )

    def _event(self, event_type="instance.retry"):
        return self.instance._enqueue_event(event_type, {"requested_by": "admin"})

    def test_payload_and_signature(self):
        event = self._event()
        body = json.loads(event.payload)
        self.assertEqual(
            set(body), {"id", "type", "occurred_at", "instance_id", "data"}
        )
        self.assertEqual(body["id"], event.uuid)
        self.assertRegex(body["occurred_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        with patch(POST, return_value=FakeResponse(202)) as post:
            event._send_now()
        (url,), kwargs = post.call_args
        self.assertEqual(url, "http://127.0.0.1:9/v1/events")
        self.assertEqual(kwargs["timeout"], 5)
        sent = kwargs["data"]
        self.assertEqual(sent, event.payload.encode())
        headers = kwargs["headers"]
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(headers["X-Saas-Event-Id"], event.uuid)
        timestamp = headers["X-Saas-Timestamp"]
        expected = hmac.new(
            b"test-secret", timestamp.encode() + b"." + sent, hashlib.sha256
        ).hexdigest()
        self.assertEqual(headers["X-Saas-Signature"], "sha256=" + expected)
        self.assertEqual(
            (event.state, event.attempts, event.response_code), ("sent", 1, 202)
        )
        self.assertTrue(event.sent_at)

    def test_permanent_failure_then_manual_retry(self):
        for code in (400, 403, 404, 409, 413, 422):
            event = self._event()
            with patch(POST, return_value=FakeResponse(code, '{"error": {}}')):
                event._send_now()
            self.assertEqual(event.state, "failed", code)
            self.assertIn("HTTP %s" % code, event.last_error)
        with patch(POST, return_value=FakeResponse(200)) as post:
            event.action_send_now()
        self.assertEqual(event.state, "sent")
        self.assertEqual(
            post.call_args.kwargs["headers"]["X-Saas-Event-Id"], event.uuid
        )

    def test_transient_failures_back_off(self):
        event = self._event()
        start = fields.Datetime.now()
        with patch(POST, return_value=FakeResponse(503, "busy")):
            event._send_now()
        self.assertEqual(
            (event.state, event.attempts, event.response_code), ("pending", 1, 503)
        )
        self.assertGreaterEqual(event.next_attempt_at, start + timedelta(seconds=29))
        with patch(POST, side_effect=requests.ConnectionError("refused")):
            event._send_now()
        self.assertEqual((event.state, event.attempts), ("pending", 2))
        self.assertIn("refused", event.last_error)
        for code in (408, 429, 500):
            with patch(POST, return_value=FakeResponse(code)):
                event._send_now()
            self.assertEqual(event.state, "pending")
        self.assertEqual(
            [outbox.backoff_seconds(n) for n in (1, 2, 3, 7, 8, 20)],
            [30, 60, 120, 1920, 3600, 3600],
        )

    def test_refused_signature_waits_and_alerts_the_admin(self):
        event = self._event()
        start = fields.Datetime.now()
        for _attempt in range(3):
            with patch(POST, return_value=FakeResponse(401, "stale_timestamp")):
                event._send_now()
        self.assertEqual(
            (event.state, event.attempts, event.response_code), ("pending", 3, 401)
        )
        self.assertGreaterEqual(event.next_attempt_at, start + timedelta(seconds=119))
        alerts = self.instance.activity_ids.filtered(
            lambda a: a.summary == outbox.AUTH_ALERT_SUMMARY
        )
        self.assertEqual(len(alerts), 1)  # one open alert, not one per try
        self.assertEqual(alerts.user_id, self.env.ref("base.user_admin"))
        notes = self.instance.message_ids.filtered(lambda m: "HTTP 401" in m.body)
        self.assertEqual(len(notes), 3)
        # once the secret or the clock is fixed, the same event goes through
        with patch(POST, return_value=FakeResponse(202)):
            event._send_now()
        self.assertEqual(event.state, "sent")

    def test_no_secret_sends_nothing(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "saas_master.bridge_secret", ""
        )
        event = self._event()
        with patch(POST) as post:
            event._send_now()
            self.Event._cron_send_pending()
        post.assert_not_called()
        self.assertEqual(event.state, "pending")
        self.assertEqual(event.last_error, outbox.NO_SECRET_ERROR)
        self.assertEqual(event.attempts, 0)

    def test_cron_sends_due_events_only(self):
        due = self._event()
        later = self._event()
        later.next_attempt_at = fields.Datetime.now() + timedelta(hours=1)
        with patch(POST, return_value=FakeResponse(202)) as post:
            self.Event._cron_send_pending()
        self.assertEqual(post.call_count, 1)
        self.assertEqual((due.state, later.state), ("sent", "pending"))

    def test_no_bridge_url(self):
        self.env["ir.config_parameter"].sudo().set_param("saas_master.bridge_url", "")
        event = self._event()
        with patch(POST) as post:
            event._send_now()
            self.Event._cron_send_pending()
        post.assert_not_called()
        self.assertEqual(event.state, "pending")
        self.assertEqual(event.last_error, "bridge URL not configured")
        self.assertEqual(event.attempts, 0)

    def test_signature_helper(self):
        self.assertEqual(
            outbox.sign("s", 1700000000, b'{"a":1}'),
            "sha256="
            + hmac.new(b"s", b'1700000000.{"a":1}', hashlib.sha256).hexdigest(),
        )

    def test_instance_buttons_record_events(self):
        self.instance.action_retry()
        self.instance.state = "running"
        self.instance.action_suspend()
        self.instance.state = "suspended"
        self.assertTrue(self.instance.suspended_since)
        self.instance.action_reactivate()
        self.instance.action_terminate()
        types = self.Event.search([("instance_id", "=", self.instance.id)]).mapped(
            "event_type"
        )
        self.assertEqual(
            sorted(types),
            [
                "instance.reactivate",
                "instance.retry",
                "instance.suspend",
                "instance.terminate",
            ],
        )
        data = json.loads(self._events("instance.suspend", self.instance).payload)[
            "data"
        ]
        self.assertEqual(data, {"requested_by": self.env.user.login})
        self.assertEqual(self.instance.state, "suspended")  # the bridge reports back
        notes = self.instance.message_ids.mapped("body")
        self.assertTrue(any("Suspension requested by" in (n or "") for n in notes))

"""The outbox against a real HTTP server on 127.0.0.1 (a thread of the test)."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo import fields
from odoo.tests import tagged

from .common import SaasCase


class FakeBridge:
    def __init__(self):
        self.requests = []
        self.status = 202
        bridge = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                bridge.requests.append((self.path, dict(self.headers), body))
                answer = json.dumps({"accepted": True}).encode()
                self.send_response(bridge.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@tagged("post_install", "-at_install")
class TestOutboxHttp(SaasCase):
    def _set_url(self, url):
        self.env["ir.config_parameter"].sudo().set_param("saas_master.bridge_url", url)

    def test_real_server_headers_and_signature(self):
        instance = self._instance(self.customer, "acme")
        with FakeBridge() as bridge:
            self._set_url("http://127.0.0.1:%s" % bridge.port)
            event = instance._enqueue_event("instance.retry", {"requested_by": "admin"})
            event._send_now()
        self.assertEqual(event.state, "sent")
        self.assertEqual(len(bridge.requests), 1)
        path, headers, body = bridge.requests[0]
        self.assertEqual(path, "/v1/events")
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(headers["X-Saas-Event-Id"], event.uuid)
        timestamp = headers["X-Saas-Timestamp"]
        self.assertLess(abs(int(timestamp) - fields.Datetime.now().timestamp()), 300)
        expected = hmac.new(
            b"test-secret", timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        self.assertEqual(headers["X-Saas-Signature"], "sha256=" + expected)
        self.assertEqual(json.loads(body)["id"], event.uuid)

    def test_pending_until_bridge_comes_up(self):
        order = self._confirmed_order(self.customer, self.plan_basic, "acme")
        event = self._events("order.confirmed", order.saas_instance_ids)
        self.Event._cron_send_pending()
        self.assertEqual(
            (event.state, event.last_error), ("pending", "bridge URL not configured")
        )
        # configured, but nothing listens yet: network error, backoff
        with FakeBridge() as probe:
            port = probe.port
        self._set_url("http://127.0.0.1:%s" % port)
        self.Event._cron_send_pending()
        self.assertEqual((event.state, event.attempts), ("pending", 1))
        self.assertTrue(event.last_error)
        # the bridge answers 503 once, then accepts
        event.next_attempt_at = fields.Datetime.now()
        bridge = FakeBridge()
        with bridge:
            self._set_url("http://127.0.0.1:%s" % bridge.port)
            bridge.status = 503
            self.Event._cron_send_pending()
            self.assertEqual((event.state, event.attempts), ("pending", 2))
            bridge.status = 202
            event.next_attempt_at = fields.Datetime.now()
            self.Event._cron_send_pending()
            self.Event._cron_send_pending()
        self.assertEqual(event.state, "sent")
        ids = [json.loads(body)["id"] for _path, _headers, body in bridge.requests]
        self.assertEqual(ids, [event.uuid, event.uuid])  # 503 then 202, same id

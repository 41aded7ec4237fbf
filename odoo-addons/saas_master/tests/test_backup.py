import json
from urllib.parse import parse_qs, urlparse

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from ..models.saas_backup import download_signature
from .common import SaasCase


class BackupCase(SaasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bridge = cls.env.ref("saas_master.user_saas_bridge")
        cls.admin = cls.env.ref("base.user_admin")
        cls.mine = cls._instance(cls.customer, "acme", state="running")
        cls.theirs = cls._instance(cls.other_customer, "globex", state="running")
        cls.Backup = cls.env["saas.backup"]
        cls.done = cls.Backup.create(
            {
                "instance_id": cls.mine.id,
                "kind": "scheduled",
                "state": "done",
                "snapshot_id": "8ba6de72",
                "size_mb": 1.5,
            }
        )
        cls.theirs_done = cls.Backup.create(
            {
                "instance_id": cls.theirs.id,
                "kind": "scheduled",
                "state": "done",
                "snapshot_id": "0123abcd",
            }
        )


@tagged("post_install", "-at_install")
class TestBackup(BackupCase):
    def test_plan_backup_policies_from_data(self):
        policies = {
            code: (plan.saas_backup_interval_hours, plan.saas_backup_keep)
            for code, plan in (
                ("basic", self.plan_basic),
                ("pro", self.plan_pro),
                ("enterprise", self.env.ref("saas_master.product_plan_enterprise")),
            )
        }
        self.assertEqual(
            policies, {"basic": (168, 4), "pro": (24, 14), "enterprise": (6, 28)}
        )
        with self.assertRaises(ValidationError):
            self.plan_basic.saas_backup_keep = 0

    def test_backup_now_records_pending_and_sends_event(self):
        self.mine.with_user(self.admin).action_backup_now()
        backup = self.mine.backup_ids.filtered(lambda b: b.state == "pending")
        self.assertEqual(len(backup), 1)
        self.assertEqual(backup.kind, "manual")
        (event,) = self._events("instance.backup", self.mine)
        data = json.loads(event.payload)["data"]
        self.assertEqual(
            data,
            {
                "requested_by": self.admin.login,
                "kind": "manual",
                "backup_id": backup.id,
            },
        )

    def test_backup_now_is_for_managers_and_live_instances(self):
        portal = self._portal_user("acme_portal", self.customer)
        with self.assertRaises(AccessError):
            self.mine.with_user(portal).action_backup_now()
        with self.assertRaises(AccessError):
            self.mine.with_user(self.bridge).action_backup_now()
        draft = self._instance(self.customer, "acme-draft")
        with self.assertRaises(UserError):
            draft.with_user(self.admin).action_backup_now()
        self.assertFalse(self._events("instance.backup"))

    def test_restore_wizard_says_what_is_lost_and_sends_event(self):
        action = self.done.with_user(self.admin).action_open_restore_wizard()
        wizard = (
            self.env["saas.backup.restore"]
            .with_user(self.admin)
            .with_context(**action["context"])
            .create({})
        )
        self.assertIn("will be lost", wizard.warning)
        self.assertIn("acme", wizard.warning)
        wizard.action_confirm()
        (event,) = self._events("instance.restore", self.mine)
        data = json.loads(event.payload)["data"]
        self.assertEqual(data["backup_id"], self.done.id)
        self.assertEqual(data["snapshot_id"], "8ba6de72")

    def test_only_finished_backups_restore_on_their_instance(self):
        pending = self.Backup.create({"instance_id": self.mine.id, "state": "pending"})
        with self.assertRaises(UserError):
            self.mine._request_restore(pending)
        with self.assertRaises(UserError):
            self.mine._request_restore(self.theirs_done)
        self.assertFalse(self._events("instance.restore"))

    def test_bridge_writes_backups(self):
        Backup = self.Backup.with_user(self.bridge)
        record = Backup.create(
            {"instance_id": self.mine.id, "kind": "scheduled", "state": "running"}
        )
        record.write(
            {"state": "done", "snapshot_id": "feedbeef", "size_mb": 2, "duration_s": 3}
        )
        master = Backup.create({"kind": "scheduled", "state": "failed", "error": "x"})
        self.assertFalse(master.instance_id)
        # retention removed its snapshot: the bridge removes the record too
        record.unlink()
        with self.assertRaises(AccessError):
            self.mine.with_user(self.bridge).unlink()

    def test_portal_sees_only_own_backups(self):
        ann = self._portal_user("ann", self.customer)
        mine = self.Backup.with_user(ann).search([])
        self.assertEqual(mine, self.done)
        with self.assertRaises(AccessError):
            self.theirs_done.with_user(ann).read(["snapshot_id"])
        with self.assertRaises(AccessError):
            self.done.with_user(ann).write({"state": "failed"})

    def test_download_link_is_signed_and_short_lived(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("saas_master.bridge_url", "http://127.0.0.1:3000/")
        url = self.done._download_url()
        parsed = urlparse(url)
        self.assertEqual(parsed.netloc, "127.0.0.1:3000")
        self.assertEqual(parsed.path, "/v1/backups/download")
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        self.assertEqual(query["instance"], str(self.mine.id))
        self.assertEqual(query["snapshot"], "8ba6de72")
        self.assertEqual(
            query["sig"],
            download_signature(
                "test-secret", self.mine.id, "8ba6de72", int(query["expires"])
            ),
        )


@tagged("post_install", "-at_install")
class TestPortalBackup(HttpCase, BackupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._portal_user("acme_portal", cls.customer)
        cls.env["ir.config_parameter"].sudo().set_param(
            "saas_master.bridge_url", "http://127.0.0.1:3000"
        )

    def _login(self):
        self.authenticate("acme_portal", "acme_portal-pass-123")

    def _token(self, page):
        return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    def test_backups_listed_with_download_and_roll_back(self):
        self._login()
        html = self.url_open("/my/instances/%s" % self.mine.id).text
        self.assertIn('data-backup-id="%s"' % self.done.id, html)
        self.assertIn(
            "/my/instances/%s/backups/%s/download" % (self.mine.id, self.done.id), html
        )
        self.assertIn("o_saas_backup_restore", html)

    def test_download_redirects_to_a_signed_bridge_link(self):
        self._login()
        response = self.url_open(
            "/my/instances/%s/backups/%s/download" % (self.mine.id, self.done.id),
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn(
            "http://127.0.0.1:3000/v1/backups/download?", response.headers["Location"]
        )
        other = self.url_open(
            "/my/instances/%s/backups/%s/download"
            % (self.theirs.id, self.theirs_done.id),
            allow_redirects=False,
        )
        self.assertNotIn("/v1/backups/download", other.headers.get("Location", ""))

    def test_roll_back_asks_first_then_sends_restore(self):
        self._login()
        path = "/my/instances/%s/backups/%s/restore" % (self.mine.id, self.done.id)
        page = self.url_open(path)
        self.assertIn("will be lost", page.text)
        self.assertFalse(self._events("instance.restore"))
        response = self.url_open(
            path, data={"csrf_token": self._token(page.text), "confirm": "1"}
        )
        self.assertIn("restore=requested", response.url)
        (event,) = self._events("instance.restore", self.mine)
        self.assertEqual(json.loads(event.payload)["data"]["snapshot_id"], "8ba6de72")

    def test_no_roll_back_of_someone_elses_backup(self):
        self._login()
        path = "/my/instances/%s/backups/%s/restore" % (
            self.theirs.id,
            self.theirs_done.id,
        )
        mine = "/my/instances/%s/backups/%s/restore" % (self.mine.id, self.done.id)
        token = self._token(self.url_open(mine).text)
        self.url_open(path, data={"csrf_token": token, "confirm": "1"})
        self.assertFalse(self._events("instance.restore"))

    def test_spanish_backups(self):
        lang = self.env["res.lang"]._activate_lang("es_ES")
        self.env.ref("base.module_saas_master")._update_translations(["es_ES"])
        self.env["website"].get_current_website().language_ids |= lang
        self._login()
        base = "/%s/my/instances/%s" % (lang.url_code, self.mine.id)
        html = self.url_open(base).text
        self.assertIn("Copias de seguridad", html)
        self.assertIn("Descargar", html)
        page = self.url_open("%s/backups/%s/restore" % (base, self.done.id)).text
        self.assertIn("se perderá", page)
        self.assertIn("Su Odoo se detendrá", page)

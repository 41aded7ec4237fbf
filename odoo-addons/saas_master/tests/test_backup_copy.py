import json
from datetime import date, datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_backup import BackupCase


@tagged("post_install", "-at_install")
class TestBackupCopy(BackupCase):
    """Restore into a new instance: a copy for testing, made by the bridge."""

    def _copy(self, backup, subdomain, user=None):
        wizard = (
            self.env["saas.backup.copy"]
            .with_user(user or self.admin)
            .create({"backup_id": backup.id, "subdomain": subdomain})
        )
        return wizard, wizard.action_confirm()

    def test_copy_is_a_new_instance_of_the_same_customer_and_plan(self):
        self.mine.write({"admin_login": "ana@acme.example", "company_name": "Acme"})
        wizard, action = self._copy(self.done, "acme-test")
        self.assertIn("sends no emails", wizard.explanation)
        copy = self.Instance.browse(action["res_id"])
        self.assertNotEqual(copy, self.mine)
        self.assertEqual(copy.subdomain, "acme-test")
        self.assertEqual(copy.state, "draft")
        self.assertEqual(copy.partner_id, self.mine.partner_id)
        self.assertEqual(copy.plan_id, self.mine.plan_id)
        self.assertEqual(copy.admin_login, "ana@acme.example")
        self.assertEqual(copy.copy_of_backup_id, self.done)
        # its own identity: database, role, filestore and container are named from it
        self.assertTrue(copy.tenant_ref)
        self.assertNotEqual(copy.tenant_ref, self.mine.tenant_ref)
        (event,) = self._events("instance.copy", copy)
        data = json.loads(event.payload)["data"]
        self.assertEqual(
            data,
            {
                "requested_by": "admin",
                "backup_id": self.done.id,
                "source_instance_id": self.mine.id,
            },
        )
        # the original is not asked to do anything
        self.assertFalse(self._events("instance.copy", self.mine))
        self.assertFalse(self._events("instance.restore", self.mine))

    def test_copy_needs_a_free_valid_subdomain(self):
        for taken in ("acme", "globex", "www", "Bad_Name"):
            with self.assertRaises(UserError):
                self._copy(self.done, taken)
        self.assertFalse(self._events("instance.copy"))
        self.assertFalse(self.Instance.search([("copy_of_backup_id", "!=", False)]))

    def test_copy_only_of_a_finished_backup_by_a_manager(self):
        running = self.Backup.create(
            {"instance_id": self.mine.id, "kind": "manual", "state": "running"}
        )
        with self.assertRaises(UserError):
            self._copy(running, "acme-test")
        with self.assertRaises(UserError):
            # a backup of another customer's instance
            self.mine.with_user(self.admin)._create_copy(self.theirs_done, "acme-test")
        portal = self._portal_user("copy-portal", self.customer)
        with self.assertRaises(AccessError):
            self.mine.with_user(portal)._create_copy(self.done, "acme-test")
        self.assertFalse(self._events("instance.copy"))


@tagged("post_install", "-at_install")
class TestFinalBackupRetention(BackupCase):
    """The sweep decides when purged backups expire; the bridge removes them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "saas_master.final_backup_days", 30
        )
        cls.gone = cls._instance(cls.customer, "acme-gone", state="running")
        cls.final = cls.Backup.create(
            {
                "instance_id": cls.gone.id,
                "kind": "final",
                "state": "done",
                "snapshot_id": "f1a2b3c4",
            }
        )
        cls.gone.write(
            {"state": "terminated", "purged_at": datetime(2027, 3, 1, 4, 30)}
        )

    def _sweep(self, as_of):
        result = self.Instance.run_lifecycle_sweep(as_of)
        return [
            row
            for row in result["instances"]
            if any(a["action"] == "backups_expired" for a in row["actions"])
        ]

    def test_kept_until_the_setting_then_expired_once(self):
        self.assertEqual(self.gone.final_backup_until, date(2027, 3, 31))
        self.assertFalse(self._sweep("2027-03-30"))
        self.assertFalse(self._events("instance.backups_expired"))
        (row,) = self._sweep("2027-03-31")
        self.assertEqual(row["instance_id"], self.gone.id)
        (event,) = self._events("instance.backups_expired", self.gone)
        self.assertEqual(
            json.loads(event.payload)["data"],
            {"purged_on": "2027-03-01", "kept_days": 30},
        )
        # the next days send nothing again
        self.assertFalse(self._sweep("2027-04-01"))
        self.assertEqual(len(self._events("instance.backups_expired")), 1)
        # until the bridge removed it, the final backup stays downloadable
        self.env["ir.config_parameter"].sudo().set_param(
            "saas_master.bridge_url", "http://bridge.test"
        )
        self.assertIn("snapshot=f1a2b3c4", self.final._download_url())
        # the bridge's answer once the repository is gone
        self.final.with_user(self.bridge).write({"state": "expired"})
        with self.assertRaises(UserError):
            self.final._check_restorable()

    def test_live_and_unpurged_instances_keep_their_backups(self):
        self.mine.purged_at = datetime(2027, 1, 1)
        unpurged = self._instance(self.customer, "acme-term", state="running")
        unpurged.state = "terminated"
        rows = self._sweep("2028-01-01")
        self.assertEqual([r["instance_id"] for r in rows], [self.gone.id])
        events = self._events("instance.backups_expired")
        self.assertEqual(events.instance_id, self.gone)

    def test_setting_changes_the_time(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "saas_master.final_backup_days", 90
        )
        self.assertFalse(self._sweep("2027-03-31"))
        self.assertTrue(self._sweep("2027-05-30"))

import importlib.util
import os
import re

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SaasCase

REF = re.compile(r"^t[a-z2-7]{10}$")


def _migration():
    path = os.path.join(
        os.path.dirname(__file__), "..", "migrations", "17.0.1.1.0", "post-migrate.py"
    )
    spec = importlib.util.spec_from_file_location("saas_master_tenant_ref_mig", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestTenantRef(SaasCase):
    def test_every_instance_gets_its_own_ref_at_creation(self):
        one = self._instance(self.customer, "ref-one")
        two = self._instance(self.customer, "ref-two", tenant_ref="chosen")
        self.assertRegex(one.tenant_ref, REF)
        self.assertRegex(two.tenant_ref, REF, "a ref is never chosen by the caller")
        self.assertNotEqual(one.tenant_ref, two.tenant_ref)

    def test_ref_never_changes_and_is_not_copied(self):
        instance = self._instance(self.customer, "ref-fixed")
        ref = instance.tenant_ref
        with self.assertRaises(UserError):
            instance.write({"tenant_ref": "tother00000"})
        instance.write({"subdomain": "ref-moved"})
        self.assertEqual(instance.tenant_ref, ref)
        self.assertFalse(self.Instance._fields["tenant_ref"].copy)
        self.assertTrue(self.Instance._fields["tenant_ref"].readonly)

    def test_bridge_hands_a_warm_spare_to_an_unprovisioned_instance(self):
        bridge = self.env.ref("saas_master.user_saas_bridge")
        instance = self._instance(self.customer, "ref-spare", state="provisioning")
        as_bridge = instance.with_user(bridge)
        as_bridge.bridge_update({"tenant_ref": "tspare23456"})
        self.assertEqual(instance.tenant_ref, "tspare23456")
        with self.assertRaises(UserError, msg="a ref must look like one"):
            as_bridge.bridge_update({"tenant_ref": "Not A Ref"})
        with self.assertRaises(UserError, msg="only the bridge hands spares"):
            instance.write({"tenant_ref": "tother23456"})
        instance.write({"provisioned_at": "2026-01-01 10:00:00"})
        with self.assertRaises(UserError, msg="a tenant that ran keeps its names"):
            as_bridge.bridge_update({"tenant_ref": "tlater23456"})
        self.assertEqual(instance.tenant_ref, "tspare23456")

    @mute_logger("odoo.sql_db")
    def test_ref_is_unique_in_the_database(self):
        one = self._instance(self.customer, "ref-uniq-a")
        two = self._instance(self.customer, "ref-uniq-b")
        with self.assertRaises(Exception), self.cr.savepoint():
            self.env.cr.execute(
                "UPDATE saas_instance SET tenant_ref = %s WHERE id = %s",
                (one.tenant_ref, two.id),
            )

    def test_migration_keeps_the_names_instances_already_have(self):
        old = self._instance(self.customer, "legacy-shop", state="terminated")
        # purged: only then is a terminated instance's subdomain sold again
        old.write({"db_name": "tenant_legacy_shop", "purged_at": "2026-01-02 00:00:00"})
        resold = self._instance(self.other_customer, "legacy-shop")
        plain = self._instance(self.customer, "legacy-plain")
        others = self.Instance.search([("id", "not in", (old | resold | plain).ids)])
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE saas_instance SET tenant_ref = NULL WHERE id IN %s",
            (tuple((old | resold | plain).ids),),
        )
        _migration().migrate(self.env.cr, "17.0.1.0.0")
        self.env.invalidate_all()
        # the terminated one recorded the database named from the subdomain: its names
        self.assertEqual(old.tenant_ref, "legacy-shop")
        self.assertRegex(resold.tenant_ref, REF)
        self.assertEqual(plain.tenant_ref, "legacy-plain")
        self.assertTrue(all(others.mapped("tenant_ref")))

    def test_migration_prefers_the_live_provisioned_instance(self):
        gone = self._instance(self.customer, "legacy-live", state="terminated")
        gone.write({"purged_at": "2026-01-02 00:00:00"})
        live = self._instance(self.other_customer, "legacy-live", state="running")
        live.write({"provisioned_at": "2026-01-01 10:00:00"})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE saas_instance SET tenant_ref = NULL WHERE id IN %s",
            (tuple((gone | live).ids),),
        )
        _migration().migrate(self.env.cr, "17.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(live.tenant_ref, "legacy-live")
        self.assertRegex(gone.tenant_ref, REF)


@tagged("post_install", "-at_install")
class TestBridgeEntryPoints(SaasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bridge = cls.env.ref("saas_master.user_saas_bridge")

    def test_owner_is_the_database_uuid_for_the_bridge_only(self):
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        self.assertTrue(uuid)
        self.assertEqual(self.Instance.with_user(self.bridge).bridge_owner(), uuid)
        portal = self._portal_user("owner-probe", self.customer)
        with self.assertRaises(AccessError):
            self.Instance.with_user(portal).bridge_owner()

    def test_bridge_update_writes_and_notes_in_one_call(self):
        instance = self._instance(self.customer, "bridge-upd")
        before = len(instance.message_ids)
        instance.with_user(self.bridge).bridge_update(
            {"state": "running", "url": "https://bridge-upd.example.com"},
            "Instance running at <b>x</b>.",
        )
        self.assertEqual(instance.state, "running")
        self.assertEqual(instance.url, "https://bridge-upd.example.com")
        self.assertEqual(len(instance.message_ids), before + 1)
        portal = self._portal_user("upd-probe", self.customer)
        with self.assertRaises(AccessError):
            instance.with_user(portal).bridge_update({"state": "error"}, "no")

import base64

from odoo.exceptions import RedirectWarning, UserError
from odoo.tests import tagged

from .common import SaasTenantCase

# with an upgrade link: a RedirectWarning (a button to the portal); else a UserError
REFUSED = (UserError, RedirectWarning)
PNG = base64.b64encode(b"not really a picture, but bytes all the same")


@tagged("post_install", "-at_install")
class TestStorageLimit(SaasTenantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_plan(storage_mb="10240")
        cls.Attachments = cls.env["ir.attachment"].with_user(cls.admin)
        cls.partner = cls.env["res.partner"].create({"name": "Customer of ours"})

    def _attach(self, name):
        return self.Attachments.create(
            {
                "name": name,
                "datas": PNG,
                "res_model": "res.partner",
                "res_id": self.partner.id,
            }
        )

    def test_measures_database_and_filestore(self):
        db_mb, fs_mb = self.Plan._storage_usage_mb(fresh=True)
        self.assertGreater(db_mb, 1)
        self._attach("first.png")
        self.assertGreaterEqual(self.Plan._storage_usage_mb(fresh=True)[1], fs_mb)

    def test_under_the_quota_files_are_added(self):
        self.assertTrue(self._attach("fits.png").datas)

    def test_over_the_quota_new_files_are_refused_and_nothing_is_lost(self):
        kept = self._attach("kept.png")
        self._set_limits(storage_mb="1")
        with self.assertRaisesRegex(REFUSED, "Your storage is full"):
            self._attach("refused.png")
        with self.assertRaisesRegex(REFUSED, "Your storage is full"):
            kept.write({"datas": base64.b64encode(b"bigger than before, a lot bigger")})
        self.assertEqual(kept.datas, PNG)
        self.assertEqual(kept.raw, base64.b64decode(PNG))
        # a link is no file; the web client's asset bundles still build
        self.Attachments.create({"name": "link", "type": "url", "url": "https://x.y"})
        self.Attachments.sudo().create(
            {"name": "bundle.js", "raw": b"1", "res_model": "ir.ui.view"}
        )
        # and the quota off (0) means unlimited
        self._set_limits(storage_mb="0")
        self._attach("unlimited.png")

    def test_spanish_message(self):
        self._set_limits(storage_mb="1")
        self._spanish()
        with self.assertRaisesRegex(REFUSED, "Su almacenamiento está lleno"):
            self.Attachments.with_context(lang="es_ES").create(
                {"name": "es.png", "datas": PNG}
            )


@tagged("post_install", "-at_install")
class TestBanner(SaasTenantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_plan(max_users="5", storage_mb="10240", expiration_date="2030-01-31")
        cls.Banner = cls.Plan.with_user(cls.admin)

    def test_admins_see_plan_expiry_and_usage(self):
        users = self.env["res.users"]._saas_internal_user_count()
        info = self.Banner.banner_info()
        self.assertIn("Plan Basic", info["text"])
        self.assertIn("Users %s/5" % users, info["text"])
        self.assertRegex(info["text"], r"Storage \d+/10240 MB")
        self.assertIn("Until 2030-01-31", info["text"])
        self.assertFalse(info["warning"])

    def test_warns_from_80_percent(self):
        self._fill_to(0.85)
        self.assertRegex(self.Banner.banner_info()["warning"], r"Storage 8\d % full")
        self._set_limits(storage_mb="1")
        self.assertIn("new files are refused", self.Banner.banner_info()["warning"])

    def test_other_users_see_nothing(self):
        user = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create({"name": "Clerk", "login": "clerk"})
        )
        self.assertFalse(self.Plan.with_user(user).banner_info())

    def test_spanish(self):
        self._spanish()
        info = self.Banner.with_context(lang="es_ES").banner_info()
        self.assertIn("Plan Basic", info["text"])
        self.assertIn("Usuarios", info["text"])
        self.assertIn("Hasta 2030-01-31", info["text"])

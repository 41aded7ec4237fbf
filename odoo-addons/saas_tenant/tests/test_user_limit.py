from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestUserLimit(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Users = cls.env["res.users"].with_context(no_reset_password=True)
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.group_user = cls.env.ref("base.group_user")
        cls.group_portal = cls.env.ref("base.group_portal")

    def _set_limit(self, extra):
        """Allow the current internal users plus ``extra`` more."""
        count = self.Users._saas_internal_user_count()
        self.params.set_param("saas_tenant.max_users", str(count + extra))
        return count + extra

    def _internal(self, login):
        return self.Users.create(
            {"name": login, "login": login, "groups_id": [(6, 0, [self.group_user.id])]}
        )

    def _portal(self, login):
        return self.Users.create(
            {
                "name": login,
                "login": login,
                "groups_id": [(6, 0, [self.group_portal.id])],
            }
        )

    def test_unlimited_when_missing_or_zero(self):
        self.params.set_param("saas_tenant.max_users", "0")
        self._internal("u_zero_1")
        self.params.set_param("saas_tenant.max_users", False)
        self._internal("u_missing_1")

    def test_create_beyond_limit(self):
        limit = self._set_limit(1)
        self._internal("u_ok")
        with self.assertRaisesRegex(UserError, "Your plan allows %s users" % limit):
            self._internal("u_too_many")

    def test_portal_users_not_counted(self):
        self._set_limit(0)
        portal = self._portal("p_free")
        self.assertTrue(portal.share)

    def test_reactivation_and_promotion(self):
        self._set_limit(1)
        user = self._internal("u_archived")
        user.active = False
        self._internal("u_takes_seat")
        with self.assertRaises(UserError):
            user.active = True
        portal = self._portal("p_promoted")
        with self.assertRaises(UserError):
            portal.write({"groups_id": [(6, 0, [self.group_user.id])]})
        with self.assertRaises(UserError):
            self.group_user.write({"users": [(4, portal.id)]})

    def test_unarchive_and_user_type_switch_are_counted(self):
        self._set_limit(1)
        archived = self._internal("u_archived_2")
        archived.action_archive()
        self._internal("u_seat_2")
        with self.assertRaises(UserError):
            archived.action_unarchive()
        self.assertFalse(archived.active)
        portal = self._portal("p_switched")
        # Settings > Users, "User type": Portal -> Internal User
        ids = {str(self.group_user.id), str(self.group_portal.id)}
        user_type = next(
            name
            for name in self.Users.fields_get(attributes=["type"])
            if name.startswith("sel_groups_") and ids <= set(name.split("_"))
        )
        with self.assertRaises(UserError):
            portal.write({user_type: self.group_user.id})
        self.assertTrue(portal.share)

    def test_lowered_limit_does_not_block_other_writes(self):
        self._internal("u_existing")
        self._set_limit(-1)
        admin = self.env.ref("base.user_admin")
        admin.write({"signature": "<p>hi</p>"})
        admin.write({"active": True})

    def test_spanish_message(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env.ref("base.module_saas_tenant")._update_translations(["es_ES"])
        self._set_limit(0)
        users = self.Users.with_context(lang="es_ES")
        with self.assertRaisesRegex(UserError, "Su plan permite"):
            users.create({"name": "u_es", "login": "u_es"})

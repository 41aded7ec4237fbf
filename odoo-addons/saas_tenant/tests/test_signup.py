from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSignup(TransactionCase):
    def test_anonymous_signup_is_off_by_default(self):
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("auth_signup.invitation_scope"), "b2b")
        self.assertEqual(self.env["res.users"]._get_signup_invitation_scope(), "b2b")

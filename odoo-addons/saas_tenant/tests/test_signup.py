from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSignup(TransactionCase):
    def test_anonymous_signup_is_off_by_default(self):
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("auth_signup.invitation_scope"), "b2b")
        # website (the master's test database has it) answers its own per-site setting
        if "website" not in self.env:
            scope = self.env["res.users"]._get_signup_invitation_scope()
            self.assertEqual(scope, "b2b")

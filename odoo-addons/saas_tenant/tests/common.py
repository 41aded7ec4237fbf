from odoo.tests import TransactionCase


class SaasTenantCase(TransactionCase):
    """Limits set as the bridge sets them (its own user); the customer's admin."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bridge = cls.env.ref("saas_tenant.user_bridge")
        cls.admin = cls.env.ref("base.user_admin")
        cls.params = cls.env["ir.config_parameter"].with_user(cls.bridge).sudo()
        cls.Plan = cls.env["saas.tenant.plan"]

    @classmethod
    def _set_limits(cls, **limits):
        for key, value in limits.items():
            cls.params.set_param("saas_tenant.%s" % key, value)

    @classmethod
    def _set_plan(cls, **limits):
        cls._set_limits(
            plan_code="basic",
            plan_name="Basic",
            upgrade_url="https://shop.example.com/my/instances/7",
            **limits,
        )

    def _fill_to(self, ratio):
        """A storage quota that today's usage fills to ``ratio``."""
        used = sum(self.Plan._storage_usage_mb(fresh=True))
        self._set_limits(storage_mb=str(max(int(used / ratio), 1)))

    def _spanish(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env.ref("base.module_saas_tenant")._update_translations(["es_ES"])

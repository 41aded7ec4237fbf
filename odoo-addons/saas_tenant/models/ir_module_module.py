from odoo import _, models
from odoo.exceptions import UserError

PROTECTED_MODULE = "saas_tenant"


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    # ------------------------------------------------------------------
    # saas_tenant stays: uninstalling it (or what it depends on) would drop the limits
    # ------------------------------------------------------------------

    def _saas_check_not_removing_us(self):
        if PROTECTED_MODULE not in self.mapped("name"):
            return
        if not self.env["saas.tenant.plan"]._is_platform():
            raise UserError(
                _(
                    "This module keeps your subscription's plan working and cannot be "
                    "uninstalled (uninstalling %(modules)s would remove it).",
                    modules=", ".join(self.mapped("shortdesc")),
                )
            )

    def write(self, vals):
        # button_uninstall marks the module and everything depending on it "to remove"
        if vals.get("state") == "to remove":
            self._saas_check_not_removing_us()
        return super().write(vals)

    def module_uninstall(self):
        self._saas_check_not_removing_us()
        return super().module_uninstall()

    # ------------------------------------------------------------------
    # apps outside the plan are refused; their dependencies and auto-installs are not
    # ------------------------------------------------------------------

    def button_install(self):
        Plan = self.env["saas.tenant.plan"]
        if not Plan._is_platform() and Plan._is_managed():
            self._saas_check_apps_of_plan()
        return super().button_install()

    def _saas_check_apps_of_plan(self):
        """An app of the plan brings its dependencies with it (apps included); a module
        that is not an app may only bring apps of the plan. Auto-installed modules are
        added by Odoo afterwards, not checked."""
        Plan = self.env["saas.tenant.plan"]
        allowed = Plan._allowed_apps()
        todo, seen = list(self.sudo()), set()
        while todo:
            module = todo.pop()
            if module.id in seen or module.state != "uninstalled":
                continue
            seen.add(module.id)
            if module.application:
                if module.name in allowed:
                    continue
                Plan._check_app(module)
            todo.extend(module.dependencies_id.depend_id)

from odoo.tests import HttpCase, tagged

# waits for the systray item (its RPC answers after the web client is ready)
CHECK_BANNER = """
const until = Date.now() + 15000;
(function check() {
    const banner = document.querySelector(".o_saas_plan_banner");
    if (banner && banner.textContent.includes("Plan Basic")) {
        console.log("test successful");
    } else if (Date.now() > until) {
        console.error("no plan banner in the navbar");
    } else {
        setTimeout(check, 100);
    }
})();
"""


@tagged("post_install", "-at_install")
class TestBannerInTheWebClient(HttpCase):
    def test_admins_see_the_plan_in_the_navbar(self):
        bridge = self.env.ref("saas_tenant.user_bridge")
        params = self.env["ir.config_parameter"].with_user(bridge).sudo()
        for key, value in (("plan_code", "basic"), ("plan_name", "Basic")):
            params.set_param("saas_tenant.%s" % key, value)
        self.browser_js("/web", CHECK_BANNER, "odoo.isReady === true", login="admin")

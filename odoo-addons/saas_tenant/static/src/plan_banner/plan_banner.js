/** @odoo-module **/
// The plan, its expiry and usage, discreetly in the navbar of the tenant's administrators.
// The texts come translated from saas.tenant.plan.banner_info.
import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

export class SaasPlanBanner extends Component {
    static template = "saas_tenant.PlanBanner";
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.state = useState({ info: false });
        onWillStart(async () => {
            this.state.info = await this.orm.call("saas.tenant.plan", "banner_info", []);
        });
    }
}

registry.category("systray").add(
    "saas_tenant.plan_banner",
    { Component: SaasPlanBanner, isDisplayed: (env) => env.services.user.isSystem },
    { sequence: 1 }
);

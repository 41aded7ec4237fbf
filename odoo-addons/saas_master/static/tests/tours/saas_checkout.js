/** @odoo-module **/

import { registry } from "@web/core/registry";

// Inline feedback of the subdomain input on /shop/payment (a plan is in the cart).
registry.category("web_tour.tours").add("saas_checkout_subdomain", {
    test: true,
    url: "/shop/payment",
    steps: () => [
        {
            content: "the default subdomain is proposed",
            trigger: "input#saas_subdomain[value='acme-corp']",
            run: "text www",
        },
        {
            content: "a reserved value is refused next to the input",
            trigger: "#saas_subdomain_error.d-block:contains('reserved')",
            isCheck: true,
        },
        {
            content: "type a valid value",
            trigger: "input#saas_subdomain.is-invalid",
            run: "text acme-web",
        },
        {
            content: "the error is gone and the address is previewed",
            trigger: "input#saas_subdomain:not(.is-invalid)",
            extra_trigger: ".o_saas_subdomain_preview:contains('acme-web')",
            isCheck: true,
        },
    ],
});

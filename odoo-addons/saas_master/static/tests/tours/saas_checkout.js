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
            extra_trigger: "#payment_method:not([hidden])",
            run: "text www",
        },
        {
            content: "a reserved value is refused next to the input, the payment is hidden",
            trigger: "#saas_subdomain_error.d-block:contains('reserved')",
            run() {
                const payment = document.querySelector("#payment_method");
                const button = document.querySelector("button[name='o_payment_submit_button']");
                if (!payment.hidden || !button.hidden || !button.disabled) {
                    throw new Error("the payment is still offered for a refused subdomain");
                }
            },
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
        {
            content: "the payment is shown again",
            trigger: "#payment_method:not([hidden])",
            extra_trigger: "button[name='o_payment_submit_button']:not([hidden])",
            isCheck: true,
        },
    ],
});

const SUBDOMAIN_ROUTE = "/shop/saas_subdomain";

// Type a value and click Save: the input loses focus ("change") as the form is
// submitted. One JSON request saves it, the page is not reloaded.
registry.category("web_tour.tours").add("saas_checkout_subdomain_save", {
    test: true,
    url: "/shop/payment",
    steps: () => [
        {
            content: "count the subdomain requests of this page",
            trigger: "input#saas_subdomain[value='acme-corp']",
            run() {
                window.saasSubdomainRequests = [];
                const open = XMLHttpRequest.prototype.open;
                XMLHttpRequest.prototype.open = function (method, url) {
                    if (String(url).includes(SUBDOMAIN_ROUTE)) {
                        window.saasSubdomainRequests.push(String(url));
                    }
                    return open.apply(this, arguments);
                };
                const fetch = window.fetch;
                window.fetch = function (resource) {
                    const url = resource instanceof Request ? resource.url : String(resource);
                    if (url.includes(SUBDOMAIN_ROUTE)) {
                        window.saasSubdomainRequests.push(url);
                    }
                    return fetch.apply(this, arguments);
                };
            },
        },
        {
            content: "type a value and click Save (change + submit at once)",
            trigger: "input#saas_subdomain",
            run() {
                const input = document.querySelector("input#saas_subdomain");
                input.focus();
                input.value = "acme-save";
                input.dispatchEvent(new InputEvent("input", { bubbles: true }));
                // clicking Save blurs the input: "change" fires, then the form is submitted
                input.dispatchEvent(new Event("change", { bubbles: true }));
                document.querySelector("button#saas_subdomain_save").click();
            },
        },
        {
            content: "the value is saved without error",
            trigger: "#saas_subdomain_form:not([aria-busy]) input#saas_subdomain:not(.is-invalid)",
            extra_trigger: ".o_saas_subdomain_preview:contains('acme-save')",
            run() {
                const error = document.querySelector("#saas_subdomain_error");
                if (error.textContent.trim() || error.classList.contains("d-block")) {
                    throw new Error(`subdomain refused: ${error.textContent}`);
                }
            },
        },
        {
            content: "click Save again: the value is already saved",
            trigger: "button#saas_subdomain_save",
            run: "click",
        },
        {
            content: "exactly one request, and the page was not reloaded",
            trigger: "#saas_subdomain_form:not([aria-busy]) input#saas_subdomain:not(.is-invalid)",
            run() {
                const requests = window.saasSubdomainRequests;
                if (!requests) {
                    throw new Error("the page was reloaded (the form was posted)");
                }
                if (requests.length !== 1 || !requests[0].includes(`${SUBDOMAIN_ROUTE}/check`)) {
                    throw new Error(`expected one check request, got ${JSON.stringify(requests)}`);
                }
                const input = document.querySelector("input#saas_subdomain");
                if (input.value !== "acme-save") {
                    throw new Error(`the input shows "${input.value}"`);
                }
            },
        },
    ],
});

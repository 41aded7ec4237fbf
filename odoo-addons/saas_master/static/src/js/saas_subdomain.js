/** @odoo-module **/

import PaymentForm from "@payment/js/payment_form";
import publicWidget from "@web/legacy/js/public/public_widget";
import { jsonrpc } from "@web/core/network/rpc_service";

/**
 * Send the subdomain typed on /shop/payment with the transaction request, so that
 * what the customer sees in the input is what the server validates and uses.
 */
PaymentForm.include({
    _prepareTransactionRouteParams() {
        const params = this._super(...arguments);
        const input = document.querySelector("#saas_subdomain");
        if (input) {
            params.saas_subdomain = input.value;
        }
        return params;
    },
});

/**
 * Inline feedback: save and check the subdomain when the input changes.
 */
publicWidget.registry.SaasSubdomain = publicWidget.Widget.extend({
    selector: "#saas_subdomain_form",
    events: {
        "change #saas_subdomain": "_onChange",
    },

    async _onChange(ev) {
        const input = ev.currentTarget;
        const result = await jsonrpc("/shop/saas_subdomain/check", {
            saas_subdomain: input.value,
        });
        const error = this.el.querySelector("#saas_subdomain_error");
        const preview = this.el.querySelector(".o_saas_subdomain_preview");
        input.classList.toggle("is-invalid", !result.ok);
        error.textContent = result.error || "";
        error.classList.toggle("d-block", !result.ok);
        if (result.ok && preview) {
            preview.textContent = result.subdomain;
        }
    },
});

/** @odoo-module **/

import { Component } from "@odoo/owl";
import paymentButton from "@payment/js/payment_button";
import PaymentForm from "@payment/js/payment_form";
import publicWidget from "@web/legacy/js/public/public_widget";

/**
 * The subdomain of the instance, chosen on /shop/payment (form#saas_subdomain_form).
 *
 * With JS, the form is never posted: "Save" and the "change" of the input both save
 * through ONE JSON route, `/shop/saas_subdomain/check`, with at most one request in
 * flight (the latest value wins) and never twice the same value. Clicking "Save" right
 * after typing fires both "change" (the input loses focus) and "submit": they give one
 * request. Without JS, the form posts to `/shop/saas_subdomain` (server-side fallback).
 */

/** What the server stores for `value` (see `normalize_subdomain`). */
function normalizeSubdomain(value) {
    return (value || "").trim().toLowerCase();
}

/** The save in flight, if any (so that "Pay now" waits for it). */
let pendingSave = null;

/** Whether the subdomain input holds a refused value. */
function isSubdomainRefused() {
    const input = document.querySelector("#saas_subdomain");
    return Boolean(input && input.classList.contains("is-invalid"));
}

publicWidget.registry.SaasSubdomain = publicWidget.Widget.extend({
    selector: "#saas_subdomain_form",
    events: {
        "change #saas_subdomain": "_onChangeSubdomain",
        submit: "_onSubmit",
    },

    init() {
        this._super(...arguments);
        this.rpc = this.bindService("rpc");
    },

    /**
     * @override
     */
    async start() {
        this.input = this.el.querySelector("#saas_subdomain");
        this.errorEl = this.el.querySelector("#saas_subdomain_error");
        this.previewEl = this.el.querySelector(".o_saas_subdomain_preview");
        // The state rendered by the server is the state of the order.
        this.result = {
            ok: !this.input.classList.contains("is-invalid"),
            subdomain: this.input.value,
            error: this.errorEl ? this.errorEl.textContent.trim() : "",
        };
        this.savedValue = normalizeSubdomain(this.input.value); // last value sent and answered
        this.wantedValue = null; // latest value asked for
        this.saving = null; // promise of the save loop, while requests are in flight
        if (!this.result.ok) {
            this._togglePayment(false);
        }
        return this._super(...arguments);
    },

    /**
     * @override
     */
    destroy() {
        if (pendingSave === this.saving) {
            pendingSave = null;
        }
        this._super(...arguments);
    },

    //--------------------------------------------------------------------------
    // Handlers
    //--------------------------------------------------------------------------

    /**
     * @private
     * @param {Event} ev
     */
    _onChangeSubdomain(ev) {
        this._save(this.input.value);
    },

    /**
     * Save with the JSON route instead of posting the form (no page reload).
     *
     * @private
     * @param {Event} ev
     */
    _onSubmit(ev) {
        ev.preventDefault();
        this._save(this.input.value);
    },

    //--------------------------------------------------------------------------
    // Private
    //--------------------------------------------------------------------------

    /**
     * Whether `value` needs no request: it is what the server holds or what it was
     * last sent (and answered).
     *
     * @private
     * @param {string} value
     * @returns {boolean}
     */
    _isSaved(value) {
        const normalized = normalizeSubdomain(value);
        return normalized === this.savedValue || normalized === this.result.subdomain;
    },

    /**
     * Save `value`: one request at a time; a value asked for while a request is in
     * flight is sent after it (only the latest one), a value already sent is not
     * sent again.
     *
     * @private
     * @param {string} value
     * @returns {Promise<boolean>} whether the subdomain saved is accepted
     */
    _save(value) {
        this.wantedValue = value;
        if (!this.saving) {
            this.saving = pendingSave = this._saveLoop().finally(() => {
                if (pendingSave === this.saving) {
                    pendingSave = null;
                }
                this.saving = null;
            });
        }
        return this.saving;
    },

    /**
     * @private
     * @returns {Promise<boolean>}
     */
    async _saveLoop() {
        while (!this._isSaved(this.wantedValue)) {
            const sent = normalizeSubdomain(this.wantedValue);
            this.el.setAttribute("aria-busy", "true");
            try {
                this.result = await this.rpc("/shop/saas_subdomain/check", {
                    saas_subdomain: sent,
                });
            } catch (error) {
                // The state of the order is unknown: the next change is sent again
                // (and "Pay now" re-checks the subdomain anyway).
                this.savedValue = null;
                this.result = { ok: false, subdomain: null, error: "" };
                this.el.removeAttribute("aria-busy");
                throw error;
            }
            this.savedValue = sent;
        }
        this.el.removeAttribute("aria-busy");
        this._render();
        return this.result.ok;
    },

    /**
     * Show the last answer of the server, as the page would after a form post.
     *
     * @private
     */
    _render() {
        const { ok, subdomain, error } = this.result;
        if (this._isSaved(this.input.value) && this.input.value !== subdomain) {
            // e.g. " ACME " -> "acme", "" -> the default subdomain
            this.input.value = subdomain;
        }
        this.input.classList.toggle("is-invalid", !ok);
        if (this.errorEl) {
            this.errorEl.textContent = error || "";
            this.errorEl.classList.toggle("d-block", !ok);
        }
        if (this.previewEl) {
            this.previewEl.textContent = subdomain;
        }
        this._togglePayment(ok);
    },

    /**
     * Show or hide the payment (as the server renders it) and enable or disable the
     * payment button accordingly.
     *
     * @private
     * @param {boolean} ok
     */
    _togglePayment(ok) {
        const paymentMethod = document.querySelector("#payment_method");
        if (paymentMethod) {
            paymentMethod.hidden = !ok;
        }
        for (const button of document.querySelectorAll('[name="o_payment_submit_button"]')) {
            button.hidden = !ok;
        }
        Component.env.bus.trigger(ok ? "enablePaymentButton" : "disablePaymentButton");
    },
});

/**
 * The payment button stays disabled while the subdomain is refused.
 */
paymentButton.include({
    /**
     * @override
     */
    _canSubmit() {
        return this._super(...arguments) && !isSubdomainRefused();
    },
});

PaymentForm.include({
    /**
     * "Pay now" clicked while a subdomain is being saved: wait for the answer, and
     * pay only if the subdomain is accepted (no two requests writing the order at
     * once).
     *
     * @override
     */
    async _submitForm(ev) {
        const _super = this._super.bind(this);
        if (!pendingSave) {
            return _super(...arguments);
        }
        ev.stopPropagation();
        ev.preventDefault();
        this._disableButton(true);
        let ok = false;
        try {
            ok = await pendingSave;
        } finally {
            this._enableButton(); // re-enabled only if `_canSubmit`
        }
        if (ok) {
            return _super(...arguments);
        }
    },

    /**
     * Send the subdomain typed on /shop/payment with the transaction request, so that
     * what the customer sees in the input is what the server validates and uses.
     *
     * @override
     */
    _prepareTransactionRouteParams() {
        const params = this._super(...arguments);
        const input = document.querySelector("#saas_subdomain");
        if (input) {
            params.saas_subdomain = input.value;
        }
        return params;
    },
});

"""Paying an invoice from the portal without a token in the URL.

Odoo 17 hands the payment form the access token of the URL only. A customer who
opens their invoice from "My invoices" or from our instance page's "Pay now" (no
``?access_token=``) gets "invoice_transaction() missing 1 required positional
argument: 'access_token'" when paying. The page is already theirs (the portal
checked it), so the form gets the invoice's own token.
"""

from odoo.addons.account_payment.controllers.portal import PortalAccount


class SaasInvoicePayment(PortalAccount):
    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        values = super()._invoice_get_page_view_values(invoice, access_token, **kwargs)
        if not values.get("access_token"):
            values["access_token"] = invoice.sudo()._portal_ensure_token()
        return values

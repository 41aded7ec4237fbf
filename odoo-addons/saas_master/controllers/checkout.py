"""Checkout: the customer chooses the subdomain of the instance on /shop/payment.

Routes:
- ``POST /shop/saas_subdomain`` (http, csrf): form post, saves and goes back to
  /shop/payment (the error, if any, is shown next to the input; payment hidden).
  Used without JS only: our JS sends the form with the JSON route instead.
- ``POST /shop/saas_subdomain/check`` (json): saves and answers
  ``{"ok", "subdomain", "error"}`` for inline feedback (Save button and "change"
  of the input, one request at a time).
- the transaction route also accepts ``saas_subdomain`` (sent by our JS), so what
  is in the input when "Pay now" is clicked is what gets validated and used.

The subdomain routes never write the session and write the order only when the
value changes: they may run next to the payment flow (transaction route, status
poll), and a slow one (retried after a serialization failure) must not save an
older copy of the session over the transaction the payment flow stored there.

Both subdomain routes tell whether a name is taken, so they are rate-limited per
session and per IP address (``SESSION_LIMIT`` / ``ADDRESS_LIMIT`` calls a minute;
behind Caddy the address is the client's only with Odoo's ``proxy_mode``), and
refuse input that is not plain text (NUL and other control characters, non-string
JSON values) with a message instead of letting it reach the database.
"""

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from odoo.addons.website_sale.controllers.main import PaymentPortal, WebsiteSale

from ..lib import subdomain as sd
from ..lib.rate_limit import RateLimiter

SESSION_LIMIT = 20
# higher: several buyers may share one address (an office behind NAT)
ADDRESS_LIMIT = 60
SUBDOMAIN_CHECKS = RateLimiter(window_seconds=60)


def _suffix():
    domain = (
        request.env["ir.config_parameter"].sudo().get_param("saas_master.tenant_domain")
        or "localhost:8080"
    )
    return domain.lstrip(".")


def _plan_cart():
    """The cart of this session if it sells a plan and can still be changed, else None.

    Read-only towards the session, unlike ``website.sale_get_order`` (which may
    set or pop ``sale_order_id``, change the pricelist, ... and so save the
    session): never creates an order, never marks the session dirty. A cart
    whose payment has started (transaction pending/authorized/done) is no longer
    changeable, as in ``sale_get_order``.
    """
    order_id = request.session.get("sale_order_id")
    if not order_id:
        return None
    order = request.env["sale.order"].sudo().browse(order_id).exists()
    if not order or order.state != "draft" or not order._saas_plan():
        return None
    if order.get_portal_last_transaction().state in ("pending", "authorized", "done"):
        return None
    return order


def _allow_subdomain_check():
    """Count this call; False when its session or its address asked too often."""
    return SUBDOMAIN_CHECKS.hit(
        {
            ("session", request.session.sid): SESSION_LIMIT,
            ("address", request.httprequest.remote_addr or ""): ADDRESS_LIMIT,
        }
    )


def _too_many_checks_message():
    return _("Too many subdomain checks: please wait a minute and try again.")


def _plain_answer(status, message, headers=()):
    """For the form route (no JS): the website's error pages would hide the message."""
    headers = [("Content-Type", "text/plain; charset=utf-8"), *headers]
    return request.make_response(message, headers=headers, status=status)


def _refusal(value, error):
    """The JSON answer for input that was not looked at."""
    shown = sd.normalize_subdomain(value) if sd.is_clean_text(value) else ""
    return {"ok": False, "subdomain": shown, "error": error}


class WebsiteSaleSaas(WebsiteSale):
    def _get_shop_payment_values(self, order, **kwargs):
        values = super()._get_shop_payment_values(order, **kwargs)
        values["saas_subdomain_needed"] = False
        if order and order._saas_plan():
            order_sudo = order.sudo()
            order_sudo._saas_ensure_subdomain()
            values.update(
                saas_subdomain_needed=True,
                saas_subdomain=order_sudo.saas_subdomain,
                saas_subdomain_error=order_sudo._saas_subdomain_error(),
                saas_domain_suffix=_suffix(),
            )
        return values

    @http.route(
        "/shop/saas_subdomain",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
        sitemap=False,
    )
    def shop_saas_subdomain(self, saas_subdomain="", **post):
        if not _allow_subdomain_check():
            retry = [("Retry-After", str(SUBDOMAIN_CHECKS.window))]
            return _plain_answer(429, _too_many_checks_message(), retry)
        order = _plan_cart()
        if order:
            try:
                order._saas_set_subdomain(saas_subdomain)
            except ValidationError as error:
                return _plain_answer(400, str(error))
        return request.redirect("/shop/payment")

    @http.route(
        "/shop/saas_subdomain/check",
        type="json",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def shop_saas_subdomain_check(self, saas_subdomain="", **kwargs):
        if not _allow_subdomain_check():
            return _refusal(saas_subdomain, _too_many_checks_message())
        order = _plan_cart()
        if not order:
            return {"ok": False, "subdomain": "", "error": _("Your cart has no plan.")}
        try:
            order._saas_set_subdomain(saas_subdomain)
        except ValidationError as error:
            return _refusal(saas_subdomain, str(error))
        error = order._saas_subdomain_error()
        return {
            "ok": not error,
            "subdomain": order.saas_subdomain,
            "error": error or "",
        }

    @http.route()
    def shop_payment_validate(self, sale_order_id=None, **post):
        # Free carts are confirmed here without a transaction: same gate as payment.
        if sale_order_id is None:
            order = _plan_cart()
            if order and not order.amount_total and order._saas_subdomain_error():
                return request.redirect("/shop/payment")
        return super().shop_payment_validate(sale_order_id=sale_order_id, **post)


class PaymentPortalSaas(PaymentPortal):
    @http.route()
    def shop_payment_transaction(self, order_id, access_token, **kwargs):
        subdomain = kwargs.pop("saas_subdomain", None)
        if subdomain is not None:
            try:
                order_sudo = self._document_check_access(
                    "sale.order", order_id, access_token
                )
            except (AccessError, MissingError):
                order_sudo = None  # super() raises the proper error
            if order_sudo and order_sudo.state == "draft" and order_sudo._saas_plan():
                order_sudo._saas_set_subdomain(subdomain)
        return super().shop_payment_transaction(order_id, access_token, **kwargs)

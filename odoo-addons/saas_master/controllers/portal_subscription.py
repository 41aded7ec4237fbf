"""Portal: cancel a subscription (and undo), start a free trial.

- ``GET /my/instances/<id>/cancel``: confirmation page (what happens, until when);
  ``POST`` (csrf) cancels; ``POST /my/instances/<id>/uncancel`` undoes it until
  the expiry. Owner only.
- ``GET /shop/saas_trial/<plan_id>``: logged-in customers only (login or sign-up
  first), the subdomain form; ``POST`` (csrf) starts the trial and goes to the
  instance's page.
"""

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from . import checkout
from .portal import SaasPortal


class SaasSubscriptionPortal(SaasPortal):
    @http.route(
        ["/my/instances/<int:instance_id>/cancel"],
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_instance_cancel(self, instance_id, **post):
        instance_sudo = self._saas_owned_instance(instance_id)
        if not instance_sudo:
            return request.redirect("/my")
        if request.httprequest.method == "POST":
            if instance_sudo._can_cancel_subscription():
                instance_sudo.action_cancel_subscription()
            return request.redirect(instance_sudo.access_url)
        if not instance_sudo._can_cancel_subscription():
            return request.redirect(instance_sudo.access_url)
        values = self._prepare_portal_layout_values()
        values.update({"instance": instance_sudo, "page_name": "saas_instance"})
        return request.render("saas_master.portal_instance_cancel", values)

    @http.route(
        ["/my/instances/<int:instance_id>/uncancel"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_instance_uncancel(self, instance_id, **post):
        instance_sudo = self._saas_owned_instance(instance_id)
        if not instance_sudo:
            return request.redirect("/my")
        if instance_sudo._can_undo_cancellation():
            instance_sudo.action_undo_cancellation()
        return request.redirect(instance_sudo.access_url)

    @http.route(
        ["/shop/saas_trial/<int:plan_id>"],
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
        sitemap=False,
    )
    def shop_saas_trial(self, plan_id, saas_subdomain=None, **post):
        plan = request.env["product.template"].sudo().browse(plan_id).exists()
        if not plan or not plan.saas_is_plan or not plan.saas_trial_days:
            return request.redirect("/shop")
        Instance = request.env["saas.instance"].sudo()
        partner = request.env.user.partner_id
        error = Instance._trial_error(partner, plan)
        subdomain = (saas_subdomain or "").strip().lower()
        if request.httprequest.method == "POST" and not error:
            try:
                instance = Instance._start_trial(partner, plan, subdomain)
            except UserError as exc:
                error = exc.args[0]
            else:
                return request.redirect("/my/instances/%s" % instance.id)
        values = {
            "plan": plan,
            "saas_subdomain": subdomain
            or Instance._default_subdomain(partner, plan=None),
            "saas_trial_error": error,
            "saas_domain_suffix": checkout._suffix(),
        }
        return request.render("saas_master.shop_saas_trial", values)

from urllib.parse import quote

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from .portal import SaasPortal


class SaasPortalDomain(SaasPortal):
    """The customer's own domains of an instance: add, check, remove."""

    def _saas_back(self, instance, error=None, done=None):
        url = "/my/instances/%s" % instance.id
        if error:
            url += "?domain_error=%s" % quote(error)
        elif done:
            url += "?domain=%s" % done
        return request.redirect(url + "#custom-domains")

    @http.route(
        ["/my/instances/<int:instance_id>/domains"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_domain_add(self, instance_id, domain=None, **kwargs):
        instance = self._saas_owned_instance(instance_id)
        if not instance:
            return request.redirect("/my")
        try:
            instance._add_custom_domain(domain)
        except UserError as exc:
            return self._saas_back(instance, error=exc.args[0])
        return self._saas_back(instance, done="added")

    def _saas_owned_domain(self, instance_id, domain_id):
        instance = self._saas_owned_instance(instance_id)
        if not instance:
            return None, None
        record = instance.domain_ids.filtered(lambda d: d.id == domain_id)
        return instance, record or None

    @http.route(
        ["/my/instances/<int:instance_id>/domains/<int:domain_id>/check"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_domain_check(self, instance_id, domain_id, **kwargs):
        instance, record = self._saas_owned_domain(instance_id, domain_id)
        if not record:
            return request.redirect(
                "/my/instances/%s" % instance.id if instance else "/my"
            )
        try:
            record._request_check()
        except UserError as exc:
            return self._saas_back(instance, error=exc.args[0])
        return self._saas_back(instance, done="checking")

    @http.route(
        ["/my/instances/<int:instance_id>/domains/<int:domain_id>/remove"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_domain_remove(self, instance_id, domain_id, **kwargs):
        instance, record = self._saas_owned_domain(instance_id, domain_id)
        if not record:
            return request.redirect(
                "/my/instances/%s" % instance.id if instance else "/my"
            )
        record._request_remove()
        return self._saas_back(instance, done="removed")

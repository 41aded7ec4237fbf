from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class SaasPortal(CustomerPortal):
    def _saas_instances_domain(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "child_of", partner.id)]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "instance_count" in counters:
            Instance = request.env["saas.instance"]
            values["instance_count"] = (
                Instance.search_count(self._saas_instances_domain())
                if Instance.check_access_rights("read", raise_exception=False)
                else 0
            )
        return values

    @http.route(["/my/instances"], type="http", auth="user", website=True)
    def portal_my_instances(self, **kwargs):
        Instance = request.env["saas.instance"]
        instances = Instance.search(
            self._saas_instances_domain(), order="create_date desc, id desc"
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "instances": instances.sudo(),
                "page_name": "saas_instances",
                "default_url": "/my/instances",
            }
        )
        request.session["my_instances_history"] = instances.ids[:100]
        return request.render("saas_master.portal_my_instances", values)

    @http.route(
        ["/my/instances/<int:instance_id>"], type="http", auth="user", website=True
    )
    def portal_my_instance(self, instance_id, access_token=None, **kwargs):
        try:
            instance_sudo = self._document_check_access(
                "saas.instance", instance_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        password = False
        if self._saas_is_owner(instance_sudo):
            # Shown once to the owner when running, then cleared.
            password = instance_sudo._take_initial_password()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "instance": instance_sudo,
                "initial_password": password,
                "page_name": "saas_instance",
            }
        )
        return request.render("saas_master.portal_my_instance", values)

    def _saas_is_owner(self, instance_sudo):
        """The logged-in user belongs to the customer owning the instance."""
        user_partner = request.env.user.partner_id.commercial_partner_id
        return instance_sudo.partner_id.commercial_partner_id == user_partner

    def _saas_owned_instance(self, instance_id):
        """The instance (sudo) if the logged-in user's company owns it, else None."""
        try:
            instance_sudo = self._document_check_access("saas.instance", instance_id)
        except (AccessError, MissingError):
            return None
        return instance_sudo if self._saas_is_owner(instance_sudo) else None

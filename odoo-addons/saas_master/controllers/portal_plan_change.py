"""Portal: change the plan of an instance.

- ``GET /my/instances/<id>/plan``: the other plans, each with what choosing it
  means (pay the pro-rata difference now, or from the next period; a downgrade the
  current usage would break is shown with what to reduce). Owner only.
- ``POST`` (csrf, ``plan_id``): an upgrade goes to its pro-rata invoice's payment
  page, a downgrade back to the instance; a refusal shows the page again with why.
- ``POST /my/instances/<id>/plan/keep``: withdraws a pending downgrade.
"""

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from .portal import SaasPortal


def _plan_id(value):
    """The posted plan id as a positive int, or None for anything else."""
    if not isinstance(value, str) or not value.isdigit() or len(value) > 9:
        return None
    number = int(value)
    return number if number > 0 else None


class SaasPlanChangePortal(SaasPortal):
    @http.route(
        ["/my/instances/<int:instance_id>/plan"],
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_instance_plan(self, instance_id, plan_id=None, **post):
        instance_sudo = self._saas_owned_instance(instance_id)
        if not instance_sudo:
            return request.redirect("/my")
        error = False
        if request.httprequest.method == "POST":
            wanted = _plan_id(plan_id)
            if wanted is None:
                error = instance_sudo._plan_change_error(
                    request.env["product.template"]
                )
            else:
                try:
                    result = instance_sudo.request_plan_change(wanted)
                except UserError as exc:
                    error = exc.args[0]
                else:
                    if result["invoice_id"]:
                        invoice = (
                            request.env["account.move"]
                            .sudo()
                            .browse(result["invoice_id"])
                        )
                        return request.redirect(invoice.get_portal_url())
                    return request.redirect(instance_sudo.access_url)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "instance": instance_sudo,
                "options": instance_sudo._plan_change_options(),
                "plan_change_blocked": instance_sudo._plan_change_blocked(),
                "plan_change_error": error,
                "page_name": "saas_instance",
            }
        )
        return request.render("saas_master.portal_instance_plan", values)

    @http.route(
        ["/my/instances/<int:instance_id>/plan/keep"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_instance_plan_keep(self, instance_id, **post):
        instance_sudo = self._saas_owned_instance(instance_id)
        if not instance_sudo:
            return request.redirect("/my")
        instance_sudo.action_cancel_pending_plan()
        return request.redirect(instance_sudo.access_url)

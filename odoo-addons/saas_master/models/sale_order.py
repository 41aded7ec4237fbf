from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib import subdomain as sd


class SaleOrder(models.Model):
    _inherit = "sale.order"

    saas_subdomain = fields.Char(
        string="Subdomain",
        copy=False,
        tracking=True,
        help="Subdomain chosen by the customer for the Odoo instance of this order.",
    )
    saas_instance_ids = fields.Many2many(
        "saas.instance",
        "saas_instance_sale_order_rel",
        "order_id",
        "instance_id",
        string="Instances",
        copy=False,
        readonly=True,
    )
    saas_instance_count = fields.Integer(compute="_compute_saas_instance_count")
    saas_has_plan = fields.Boolean(compute="_compute_saas_has_plan")

    @api.depends("saas_instance_ids")
    def _compute_saas_instance_count(self):
        for order in self:
            order.saas_instance_count = len(order.saas_instance_ids)

    @api.depends("order_line.product_id")
    def _compute_saas_has_plan(self):
        for order in self:
            order.saas_has_plan = bool(order._saas_plan())

    def _saas_plan(self):
        """The plan (product.template) sold by this order, from its first plan line."""
        self.ensure_one()
        lines = self.order_line.filtered(
            lambda line: line.product_id.product_tmpl_id.saas_is_plan
        )
        return lines[:1].product_id.product_tmpl_id

    def _saas_ensure_subdomain(self):
        """Give a plan order a default subdomain if it has none yet."""
        for order in self:
            plan = order._saas_plan()
            if plan and not order.saas_subdomain:
                order.saas_subdomain = self.env["saas.instance"]._default_subdomain(
                    order.partner_id, plan
                )

    def _saas_set_subdomain(self, value):
        """Store what the customer typed (normalized; empty means the default).

        Anything but plain text (a NUL byte, other control characters, a number
        from a JSON client...) is refused with a ValidationError before it reaches
        the database. The order is written only when the value changes: the
        checkout saves the same value from several requests (inline check, form
        post, "Pay now"), and a needless write of the same row makes concurrent
        requests conflict. Not tracked: a cart's tries are no history worth
        keeping, and each one would add a chatter message (the admin's edits on the
        order form are still tracked).
        """
        self.ensure_one()
        if not sd.is_clean_text(value):
            raise ValidationError(
                _("Please type the subdomain with letters, digits and hyphens only.")
            )
        wanted = sd.normalize_subdomain(value)
        plan = self._saas_plan()
        if not wanted and plan:
            wanted = self.env["saas.instance"]._default_subdomain(self.partner_id, plan)
        if self.saas_subdomain != (wanted or False):
            self.with_context(mail_notrack=True).saas_subdomain = wanted or False

    def _saas_subdomain_error(self):
        self.ensure_one()
        return (
            self.env["saas.instance"]._subdomain_error(
                self.saas_subdomain, partner=self.partner_id
            )
            or self._saas_plan_change_error()
        )

    def _saas_plan_change_error(self):
        """Buying another plan for one of the customer's own instances goes through
        "Change plan" (pro rata now, or from the next period), never the shop."""
        self.ensure_one()
        plan = self._saas_plan()
        wanted = sd.normalize_subdomain(self.saas_subdomain)
        if not plan or not wanted:
            return False
        commercial = self.partner_id.commercial_partner_id
        existing = (
            self.env["saas.instance"]
            .sudo()
            .search(
                [
                    ("subdomain", "=", wanted),
                    ("state", "!=", "terminated"),
                    ("partner_id", "child_of", commercial.id),
                ],
                limit=1,
            )
        )
        if not existing or existing.plan_id == plan:
            return False
        return _(
            "%(name)s is your instance on the %(plan)s plan. To move it to %(new)s, "
            "use “Change plan” in My Instances (%(url)s); or choose another "
            "subdomain for a new instance.",
            name=existing.subdomain,
            plan=existing.plan_id.name,
            new=plan.name,
            url="/my/instances/%s/plan" % existing.id,
        )

    def _check_cart_is_ready_to_be_paid(self):
        res = super()._check_cart_is_ready_to_be_paid()
        for order in self.filtered(lambda o: o._saas_plan()):
            order._saas_ensure_subdomain()
            error = order._saas_subdomain_error()
            if error:
                raise ValidationError(error)
        return res

    def action_view_saas_instances(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "saas_master.saas_instance_action"
        )
        action["domain"] = [("id", "in", self.saas_instance_ids.ids)]
        if len(self.saas_instance_ids) == 1:
            action.update(
                views=[(False, "form")],
                res_id=self.saas_instance_ids.id,
                view_mode="form",
            )
        return action

    # ------------------------------------------------------------------
    # Confirmation -> instance + order.confirmed
    # ------------------------------------------------------------------

    def action_confirm(self):
        res = super().action_confirm()
        for order in self:
            if order.state == "sale" and order._saas_plan():
                order.sudo()._saas_on_confirmed()
        return res

    def _saas_on_confirmed(self):
        """Create (or reuse, when buying again) the instance and record the event."""
        self.ensure_one()
        plan = self._saas_plan()
        instance = self._saas_get_or_create_instance(plan)
        if self.saas_subdomain != instance.subdomain:
            self.saas_subdomain = instance.subdomain
        instance.sale_order_ids = [fields.Command.link(self.id)]
        instance._enqueue_event(
            "order.confirmed",
            {
                "order_id": self.id,
                "order_name": self.name,
                "partner_id": self.partner_id.id,
                "plan_code": plan.saas_plan_code,
                "subdomain": instance.subdomain,
                **instance._saas_locale(),
            },
            dedupe_key="order.confirmed:%s" % self.id,
        )
        return instance

    def _saas_get_or_create_instance(self, plan):
        Instance = self.env["saas.instance"].sudo()
        partner = self.partner_id
        commercial = partner.commercial_partner_id
        instance = self.saas_instance_ids.filtered(lambda i: i.state != "terminated")
        if instance:
            return instance[:1]
        wanted = sd.normalize_subdomain(self.saas_subdomain)
        subdomain = wanted or Instance._default_subdomain(partner, plan)
        existing = Instance.search(
            [("subdomain", "=", subdomain), ("state", "!=", "terminated")], limit=1
        )
        if existing and existing.partner_id.commercial_partner_id == commercial:
            if existing.plan_id != plan:
                existing.message_post(
                    body=_(
                        "Plan changed from %(old)s to %(new)s by order %(order)s.",
                        old=existing.plan_id.display_name,
                        new=plan.display_name,
                        order=self.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                # an admin's confirmation: the plan changes now (the shop refuses it)
                existing.with_context(saas_plan_change="order").plan_id = plan
            return existing
        error = Instance._subdomain_error(subdomain, partner=partner)
        if error:
            fallback = Instance._unique_subdomain(subdomain)
            self.message_post(
                body=_(
                    "%(error)s The subdomain %(new)s was used instead.",
                    error=error,
                    new=fallback,
                ),
                subtype_xmlid="mail.mt_note",
            )
            subdomain = fallback
        return Instance._create_for(partner, plan, self.company_id, subdomain)

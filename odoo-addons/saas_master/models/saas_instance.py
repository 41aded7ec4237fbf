import logging
import re
import secrets

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import contract
from ..lib import subdomain as sd

_logger = logging.getLogger(__name__)

# A subdomain is held by at most one instance that is not purged: a terminated one
# keeps it until the bridge deleted its data (``subdomain_released``), so a new
# customer's tenant can never meet the old one's database.
HELD_INDEX = "saas_instance_subdomain_held_uniq"
HELD_PREDICATE = "NOT (state = 'terminated' AND purged_at IS NOT NULL)"

# The values and their order come from the contract shared with the bridge.
STATES = contract.selection(
    contract.INSTANCE_STATES,
    {
        "draft": "Draft",
        "provisioning": "Provisioning",
        "running": "Running",
        "suspended": "Suspended",
        "terminating": "Terminating",
        "terminated": "Terminated",
        "error": "Error",
        "waiting_capacity": "Waiting for capacity",
    },
)
# The subdomain is the tenant's address once provisioning starts: it stays.
SUBDOMAIN_EDITABLE_STATES = ("draft",)
EXPIRING_SOON_DAYS = 7
# 't' + 10 base32 characters: DNS- and PostgreSQL-safe (docs/contracts.md, tenant names)
TENANT_REF_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
TENANT_REF_LENGTH = 10
TENANT_REF_PATTERN = re.compile(r"^t[a-z2-7]{%d}$" % TENANT_REF_LENGTH)


def new_tenant_ref():
    return "t" + "".join(
        secrets.choice(TENANT_REF_ALPHABET) for _i in range(TENANT_REF_LENGTH)
    )


class SaasInstance(models.Model):
    _name = "saas.instance"
    _description = "SaaS Instance"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True, index=True)
    tenant_ref = fields.Char(
        string="Tenant ID",
        readonly=True,
        copy=False,
        index=True,
        help="Stable id of the tenant, set at creation (or, before its first run, "
        "taken from the warm spare it is handed) and never changed afterwards: its "
        "database, container and files are named from it, never from the subdomain.",
    )
    subdomain = fields.Char(required=True, tracking=True, index=True, copy=False)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
    )
    plan_id = fields.Many2one(
        "product.template",
        string="Plan",
        required=True,
        tracking=True,
        ondelete="restrict",
        domain=[("saas_is_plan", "=", True)],
    )
    plan_code = fields.Char(related="plan_id.saas_plan_code", string="Plan code")
    state = fields.Selection(
        STATES, default="draft", required=True, tracking=True, index=True, copy=False
    )
    company_name = fields.Char(string="Company name")
    multi_company = fields.Boolean(
        string="Several companies",
        help="The tenant is set up for several companies: its administrator can "
        "create and switch between them.",
    )
    partner_email = fields.Char(related="partner_id.email", string="Email")
    lang = fields.Selection(related="partner_id.lang", string="Language")
    # the buyer's locale, which the tenant is set up in
    country_code = fields.Char(related="partner_id.country_id.code", string="Country")
    currency_code = fields.Char(
        related="partner_id.country_id.currency_id.name", string="Currency"
    )
    tz = fields.Selection(related="partner_id.tz", string="Timezone")
    expiration_date = fields.Date(tracking=True, copy=False)
    subscription_status = fields.Selection(
        [
            ("active", "Active"),
            ("expiring", "Expiring soon"),
            ("expired", "Expired"),
        ],
        compute="_compute_subscription_status",
    )
    # Written by the bridge.
    url = fields.Char(string="URL", copy=False)
    direct_url = fields.Char(string="Direct URL", copy=False)
    db_name = fields.Char(string="Database", copy=False)
    container_ref = fields.Char(string="Container", copy=False)
    node_name = fields.Char(
        string="Node",
        copy=False,
        readonly=True,
        help="The host (Swarm node) running the tenant; the bridge writes it when the "
        "tenant starts and when Swarm moves it.",
    )
    admin_login = fields.Char(string="Admin login", copy=False)
    initial_password = fields.Char(
        copy=False,
        groups="saas_master.group_saas_bridge",
        help="Shown once to the owner in the portal, then cleared.",
    )
    last_error = fields.Text(copy=False)
    capacity_reason = fields.Text(
        string="Waiting for",
        copy=False,
        help="Why the bridge has not created this tenant yet: the host it would run on "
        "lacks memory, CPU, disk or database connections. It proceeds by itself when "
        "room appears.",
    )
    provisioned_at = fields.Datetime(copy=False)
    usage_users = fields.Integer(string="Users", copy=False)
    usage_db_mb = fields.Float(string="Database (MB)", copy=False)
    usage_filestore_mb = fields.Float(string="Filestore (MB)", copy=False)
    # Business links.
    sale_order_ids = fields.Many2many(
        "sale.order",
        "saas_instance_sale_order_rel",
        "instance_id",
        "order_id",
        string="Sales orders",
        copy=False,
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "saas_instance_account_move_rel",
        "instance_id",
        "move_id",
        string="Invoices",
        copy=False,
    )
    last_payment_date = fields.Date(copy=False, tracking=True)
    suspended_since = fields.Datetime(copy=False)
    purged_at = fields.Datetime(
        copy=False,
        readonly=True,
        help="Written by the bridge once the purge deleted the tenant's container, "
        "database, role and filestore (after its final backup).",
    )
    subdomain_released = fields.Boolean(
        compute="_compute_subdomain_released",
        store=True,
        help="Terminated and purged: the subdomain can be sold again. A terminated "
        "instance whose data was not purged still holds it (its database exists).",
    )
    event_ids = fields.One2many("saas.bridge.event", "instance_id", string="Events")
    event_count = fields.Integer(compute="_compute_event_count")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    mrr = fields.Monetary(
        string="MRR",
        compute="_compute_mrr",
        store=True,
        help="Monthly recurring revenue: plan price / billing period, "
        "for running and suspended instances.",
    )

    _sql_constraints = [
        ("tenant_ref_uniq", "unique(tenant_ref)", "The tenant ID must be unique."),
    ]

    def init(self):
        cr = self.env.cr
        cr.execute(
            "SELECT subdomain FROM saas_instance WHERE %s"
            " GROUP BY subdomain HAVING count(*) > 1" % HELD_PREDICATE
        )
        twice = [row[0] for row in cr.fetchall()]
        if twice:
            # sold again before the purge rule existed: the upgrade goes on with the
            # old rule (unique among live instances) until an admin purges the old one
            _logger.warning(
                "saas.instance: subdomains held by two unpurged instances: %s; %s is "
                "not created until the older ones are purged",
                ", ".join(twice),
                HELD_INDEX,
            )
            cr.execute(
                "CREATE UNIQUE INDEX IF NOT EXISTS saas_instance_subdomain_live_uniq"
                " ON saas_instance (subdomain) WHERE state != 'terminated'"
            )
            return
        cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS %s ON saas_instance (subdomain)"
            " WHERE %s" % (HELD_INDEX, HELD_PREDICATE)
        )
        # the held rule covers the old one (live instances are never purged)
        cr.execute("DROP INDEX IF EXISTS saas_instance_subdomain_live_uniq")

    @api.depends("state", "purged_at")
    def _compute_subdomain_released(self):
        for instance in self:
            instance.subdomain_released = bool(
                instance.state == "terminated" and instance.purged_at
            )

    @api.depends("subdomain")
    def _compute_name(self):
        for instance in self:
            instance.name = instance.subdomain

    @api.depends("expiration_date")
    def _compute_subscription_status(self):
        today = fields.Date.context_today(self)
        soon = today + relativedelta(days=EXPIRING_SOON_DAYS)
        for instance in self:
            date = instance.expiration_date
            if not date:
                instance.subscription_status = "active"
            elif date < today:
                instance.subscription_status = "expired"
            elif date <= soon:
                instance.subscription_status = "expiring"
            else:
                instance.subscription_status = "active"

    @api.depends("event_ids")
    def _compute_event_count(self):
        for instance in self:
            instance.event_count = len(instance.event_ids)

    @api.depends("state", "plan_id.list_price", "plan_id.saas_period_months")
    def _compute_mrr(self):
        for instance in self:
            plan = instance.plan_id
            if instance.state in ("running", "suspended") and plan:
                instance.mrr = plan.list_price / max(plan.saas_period_months, 1)
            else:
                instance.mrr = 0.0

    def _compute_access_url(self):
        super()._compute_access_url()
        for instance in self:
            instance.access_url = "/my/instances/%s" % instance.id

    # ------------------------------------------------------------------
    # Subdomain rule: the one helper used by the model and the checkout
    # ------------------------------------------------------------------

    @api.model
    def _subdomain_error(self, subdomain, partner=None, instance=None):
        """Why ``subdomain`` cannot be used, or False if it can.

        :param partner: the buyer; an instance of the same commercial partner
            with this subdomain is not "taken" (buying again renews it).
        :param instance: the instance being checked (excluded from "taken").
        """
        value = subdomain or ""
        if not sd.is_well_formed(value):
            return _(
                "“%(value)s” is not a valid subdomain: use %(min)s to %(max)s "
                "lowercase letters, digits or hyphens, not starting or ending with a "
                "hyphen.",
                value=value,
                min=sd.MIN_LENGTH,
                max=sd.MAX_LENGTH,
            )
        if sd.is_reserved(value):
            return _("“%(value)s” is reserved, please choose another one.", value=value)
        if partner:
            held = self._own_held_subdomain_error(value, partner, instance)
            if held:
                return held
        # a terminated instance holds its subdomain until the bridge purged its data:
        # a new customer's provisioning would find the old database otherwise
        domain = [("subdomain", "=", value), ("subdomain_released", "=", False)]
        if instance and instance.id:
            domain.append(("id", "!=", instance.id))
        if partner:
            commercial = partner.commercial_partner_id
            domain.append(("partner_id.commercial_partner_id", "!=", commercial.id))
        if self.sudo().with_context(active_test=False).search_count(domain, limit=1):
            return _(
                "“%(value)s” is already taken, please choose another one.", value=value
            )
        return False

    @api.model
    def _unique_subdomain(self, base):
        """A free, valid subdomain derived from ``base`` (base, base-2, ...)."""
        if not sd.is_well_formed(base) or sd.is_reserved(base):
            # slugified: "xn--x" would stay reserved with any suffix ("xn-x" is not)
            base = sd.slugify_subdomain(base)
        candidate = base
        number = 1
        while self._subdomain_error(candidate):
            number += 1
            candidate = sd.with_suffix(base, number)
        return candidate

    @api.model
    def _default_subdomain(self, partner, plan=None):
        """Default subdomain for ``partner`` buying ``plan``.

        An existing live instance of the same plan is proposed first, so that
        buying again renews it instead of creating a second instance.
        """
        commercial = partner.commercial_partner_id
        if plan:
            existing = self._find_live_instance(partner, plan)
            if existing:
                return existing.subdomain
        name = commercial.name or partner.company_name or partner.name or ""
        return self._unique_subdomain(sd.slugify_subdomain(name))

    @api.model
    def _find_live_instance(self, partner, plan):
        commercial = partner.commercial_partner_id
        return self.sudo().search(
            [
                ("partner_id", "child_of", commercial.id),
                ("plan_id", "=", plan.id),
                ("state", "!=", "terminated"),
            ],
            order="expiration_date asc, id asc",
            limit=1,
        )

    @api.model_create_multi
    def create(self, vals_list):
        # Checked before the INSERT so that a taken subdomain gives a readable
        # message (the partial unique index only guards against races).
        for vals in vals_list:
            if vals.get("state", "draft") != "terminated":
                error = self._subdomain_error(vals.get("subdomain"))
                if error:
                    raise ValidationError(error)
            # set here, not as a field default: a default would give every existing
            # row the same value when the column is added
            vals["tenant_ref"] = self._new_tenant_ref()
        return super().create(vals_list)

    @api.model
    def _new_tenant_ref(self):
        Instance = self.sudo().with_context(active_test=False)
        while True:
            ref = new_tenant_ref()
            if not Instance.search_count([("tenant_ref", "=", ref)], limit=1):
                return ref

    @api.constrains("subdomain")
    def _check_subdomain(self):
        for instance in self:
            if instance.state == "terminated":
                continue
            error = self._subdomain_error(instance.subdomain, instance=instance)
            if error:
                raise ValidationError(error)

    # ------------------------------------------------------------------
    # Lifecycle helpers
    # ------------------------------------------------------------------

    @api.model
    def _create_for(self, partner, plan, company, subdomain=None):
        """A draft instance of the plan for the partner, from an order or invoice."""
        return self.sudo().create(
            {
                "subdomain": subdomain or self._default_subdomain(partner, plan),
                "partner_id": partner.id,
                "plan_id": plan.id,
                "company_name": partner.commercial_company_name
                or partner.company_name
                or partner.name,
                "expiration_date": self._initial_expiration(plan),
                "company_id": company.id,
            }
        )

    def _check_tenant_ref_claim(self, ref):
        """The tenant ID never changes, with one exception: before an instance first
        ran (no provisioned_at), the bridge may give it the ref of a warm spare it
        hands over (a tenant already cloned and booted under that ref)."""
        claimable = (
            self.env.user.has_group("saas_master.group_saas_bridge")
            and isinstance(ref, str)
            and TENANT_REF_PATTERN.match(ref)
            and not any(i.provisioned_at for i in self)
        )
        if not claimable:
            raise UserError(_("The tenant ID of an instance never changes."))

    @api.model
    def _initial_expiration(self, plan):
        today = fields.Date.context_today(self)
        if plan.saas_trial_days:
            return today + relativedelta(days=plan.saas_trial_days)
        return today + relativedelta(months=max(plan.saas_period_months, 1))

    def _renewed_expiration(self):
        """One more period from the current expiry (no lost days when paying
        early); from today when the instance has been expired for a full period."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        period = relativedelta(months=max(self.plan_id.saas_period_months, 1))
        renewed = (self.expiration_date or today) + period
        return renewed if renewed > today else today + period

    def write(self, vals):
        if "subdomain" in vals:
            self._check_subdomain_editable(vals["subdomain"])
        if "tenant_ref" in vals and any(
            i.tenant_ref and i.tenant_ref != vals["tenant_ref"] for i in self
        ):
            self._check_tenant_ref_claim(vals["tenant_ref"])
        if vals.get("subdomain"):
            for instance in self.filtered(lambda i: i.state != "terminated"):
                error = self._subdomain_error(vals["subdomain"], instance=instance)
                if error:
                    raise ValidationError(error)
        if vals.get("state") and vals["state"] != "waiting_capacity":
            vals = dict(vals, capacity_reason=False)
        entering_wait = self.filtered(lambda i: i.state != "waiting_capacity")
        res = super().write(vals)
        if vals.get("state") == "waiting_capacity":
            entering_wait._notify_waiting_capacity()
        if "state" in vals:
            now = fields.Datetime.now()
            for instance in self:
                if instance.state == "suspended" and not instance.suspended_since:
                    instance.suspended_since = now
                elif (
                    instance.state in ("running", "provisioning")
                    and instance.suspended_since
                ):
                    instance.suspended_since = False
        return res

    def _notify_waiting_capacity(self):
        """Tells the SaaS managers (chatter, and mail through their notifications)
        that an instance waits for room on the host, and why."""
        managers = self.env.ref("saas_master.group_saas_manager").sudo().users
        partners = managers.partner_id.filtered("email")
        for instance in self:
            instance.message_post(
                body=_(
                    "Waiting for capacity on the host: %(reason)s. The instance will "
                    "be created by itself as soon as there is room.",
                    reason=instance.capacity_reason or _("no reason given"),
                ),
                partner_ids=partners.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def _check_subdomain_editable(self, value):
        """The subdomain is the tenant's address (route, labels, mails already sent):
        once provisioning has started it stays (the view shows it read-only too)."""
        for instance in self:
            if (
                instance.state not in SUBDOMAIN_EDITABLE_STATES
                and instance.subdomain != value
            ):
                raise UserError(
                    _(
                        "The subdomain of %(name)s cannot be changed any more: its "
                        "instance has left the draft state.",
                        name=instance.subdomain,
                    )
                )

    # ------------------------------------------------------------------
    # Bridge entry points (JSON-RPC, technical user of group SaaS Bridge)
    # ------------------------------------------------------------------

    @api.model
    def bridge_owner(self):
        """The owner the bridge labels tenant resources with: this database's uuid."""
        if not (
            self.env.user.has_group("saas_master.group_saas_bridge")
            or self.env.is_system()
        ):
            raise AccessError(_("Only the SaaS bridge may ask for the owner id."))
        return self.env["ir.config_parameter"].sudo().get_param("database.uuid")

    def bridge_update(self, vals, note=None):
        """``write(vals)`` and a chatter note in one round trip for the bridge."""
        self.write(vals)
        if note:
            for instance in self:
                instance.message_post(
                    body=note, message_type="comment", subtype_xmlid="mail.mt_note"
                )
        return True

    def _saas_locale(self):
        """The buyer's language, country, currency and timezone, which the tenant is set
        up in (order.confirmed, docs/contracts.md); False where the partner has none."""
        self.ensure_one()
        return {
            "lang": self.lang or False,
            "country_code": self.country_code or False,
            "currency": self.currency_code or False,
            "tz": self.tz or False,
        }

    def _enqueue_event(self, event_type, data, dedupe_key=None):
        self.ensure_one()
        return (
            self.env["saas.bridge.event"]
            .sudo()
            ._enqueue(event_type, self, data, dedupe_key=dedupe_key)
        )

    def _request_action(self, event_type, allowed_states, label):
        for instance in self:
            if instance.state not in allowed_states:
                raise UserError(
                    _(
                        "%(action)s is not possible for %(name)s in state %(state)s.",
                        action=label,
                        name=instance.name,
                        state=dict(STATES)[instance.state],
                    )
                )
            instance._enqueue_event(event_type, {"requested_by": self.env.user.login})
            instance.message_post(
                body=_(
                    "%(action)s requested by %(user)s.",
                    action=label,
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_retry(self):
        return self._request_action(
            "instance.retry",
            ("draft", "error", "waiting_capacity"),
            _("Retry provisioning"),
        )

    def action_open_move_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Move %s to another node", self.name),
            "res_model": "saas.instance.move.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_instance_id": self.id},
        }

    def action_suspend(self):
        return self._request_action("instance.suspend", ("running",), _("Suspension"))

    def action_reactivate(self):
        return self._request_action(
            "instance.reactivate", ("suspended",), _("Reactivation")
        )

    def action_terminate(self):
        return self._request_action(
            "instance.terminate",
            ("draft", "running", "suspended", "error"),
            _("Termination"),
        )

    def action_view_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "saas_master.saas_bridge_event_action"
        )
        action["domain"] = [("instance_id", "=", self.id)]
        action["context"] = {"default_instance_id": self.id}
        return action

    def _open_invoices(self):
        """Posted customer invoices of this instance still waiting for payment."""
        self.ensure_one()
        return self.sudo().invoice_ids.filtered(
            lambda m: m.state == "posted"
            and m.move_type == "out_invoice"
            and m.payment_state in ("not_paid", "partial")
        )

"""A customer's own domain for an instance (erp.acme.com next to acme.<our domain>).

The master decides: the customer adds a name here, and asks for a check; the bridge
acts: it serves a token through the proxy on that host, fetches it through the name's
DNS, routes the host to the tenant when it arrives and writes the outcome back
(``bridge_check_result``). Removing a domain is an event the bridge turns into a
removed route.
"""

import re
import secrets
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

# a DNS name with at least two labels: letters, digits and hyphens, lower case
DOMAIN_RE = re.compile(
    r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
)
DAILY_LIMIT_PARAM = "saas_master.custom_domain_daily_limit"
DEFAULT_DAILY_LIMIT = 5
DOMAIN_STATES = [
    ("pending", "Waiting for DNS"),
    ("checking", "Being checked"),
    ("verified", "Verified"),
    ("failed", "Check failed"),
]
# instances whose domains still hold their names
LIVE_STATES = ("draft", "provisioning", "running", "suspended", "error")


class SaasInstanceDomain(models.Model):
    _name = "saas.instance.domain"
    _description = "Custom domain of a SaaS instance"
    _order = "id"

    instance_id = fields.Many2one(
        "saas.instance", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(
        related="instance_id.partner_id", store=True, index=True
    )
    name = fields.Char("Domain", required=True, index=True)
    state = fields.Selection(DOMAIN_STATES, default="pending", required=True)
    token = fields.Char(
        copy=False,
        readonly=True,
        groups="saas_master.group_saas_manager,saas_master.group_saas_bridge",
        default=lambda self: secrets.token_hex(16),
    )
    message = fields.Char(help="What the last check found")
    verified_at = fields.Datetime(readonly=True)
    cname_target = fields.Char(
        "CNAME target",
        compute="_compute_cname_target",
        help="The DNS record to create: <domain> CNAME <this>",
    )

    _sql_constraints = [
        ("name_unique", "unique(name)", "This domain is used by another instance."),
    ]

    @api.depends("instance_id.subdomain")
    def _compute_cname_target(self):
        base = self.env["saas.instance"]._saas_tenant_domain().split(":")[0]
        for record in self:
            record.cname_target = "%s.%s" % (record.instance_id.subdomain, base)

    @api.model
    def _normalize(self, name):
        """The name as typed, checked: lower case, no trailing dot, no scheme."""
        value = (name or "").strip().lower().rstrip(".")
        if "://" in value or "/" in value:
            raise UserError(
                _("Enter only the domain name, like erp.example.com (no http:// or /).")
            )
        if not DOMAIN_RE.match(value):
            raise UserError(
                _("%s is not a domain name like erp.example.com.", value or '""')
            )
        base = self.env["saas.instance"]._saas_tenant_domain().split(":")[0]
        if value == base or value.endswith("." + base):
            raise UserError(
                _(
                    "%(domain)s is one of our own addresses: use a domain of yours, "
                    "like erp.example.com.",
                    domain=value,
                )
            )
        return value

    def _request_check(self):
        """Ask the bridge to check the DNS of each domain (state checking)."""
        for record in self:
            instance = record.instance_id
            if instance.state not in ("running", "suspended"):
                raise UserError(
                    _("The domain can be checked once the instance is running.")
                )
            record.write({"state": "checking", "message": False})
            instance._enqueue_event(
                "domain.verify",
                {
                    "domain_id": record.id,
                    "domain": record.name,
                    "token": record.sudo().token,
                },
            )
        return True

    def _request_remove(self):
        """Forget the domains and tell the bridge to remove their routes."""
        for record in self:
            instance = record.instance_id
            if instance.state != "terminated":
                instance._enqueue_event(
                    "domain.remove",
                    {
                        "domain": record.name,
                        "was_verified": record.state == "verified",
                    },
                )
            instance.message_post(
                body=_("Custom domain %s removed.", record.name),
                subtype_xmlid="mail.mt_note",
            )
        self.unlink()
        return True

    def _problem_message(self, problem, detail):
        """What is wrong, in the customer's words (the bridge says which problem)."""
        self.ensure_one()
        if problem == "no_record":
            return _(
                "%(domain)s has no DNS record yet. Create the CNAME record shown "
                "here; a new record can take up to an hour to be seen.",
                domain=self.name,
            )
        if problem == "elsewhere":
            return _(
                "%(domain)s points elsewhere (%(seen)s), not to us. Its CNAME record "
                "must point to %(target)s.",
                domain=self.name,
                seen=detail or "?",
                target=self.cname_target,
            )
        if problem == "not_running":
            return _("The domain can be checked once the instance is running.")
        return _(
            "The check of %(domain)s failed: %(detail)s",
            domain=self.name,
            detail=detail or problem,
        )

    def bridge_check_result(self, verified, problem=None, detail=None):
        """The bridge's outcome of a check: verified, or failed with the problem
        (no_record, elsewhere, not_running) and what it saw."""
        if not (
            self.env.user.has_group("saas_master.group_saas_bridge")
            or self.env.is_system()
        ):
            raise AccessError(_("Only the SaaS bridge reports domain checks."))
        for record in self.sudo():
            message = False if verified else record._problem_message(problem, detail)
            record.write(
                {
                    "state": "verified" if verified else "failed",
                    "message": message,
                    "verified_at": fields.Datetime.now() if verified else False,
                }
            )
            record.instance_id.message_post(
                body=(
                    _(
                        "Custom domain %s verified: it now serves the instance.",
                        record.name,
                    )
                    if verified
                    else _(
                        "Custom domain %(domain)s not verified: %(why)s",
                        domain=record.name,
                        why=message,
                    )
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True


class SaasInstance(models.Model):
    _inherit = "saas.instance"

    domain_ids = fields.One2many(
        "saas.instance.domain", "instance_id", "Custom domains"
    )
    custom_domain_names = fields.Char(
        compute="_compute_custom_domain_names",
        help="Verified custom domains, comma separated: the hosts the bridge routes "
        "besides the subdomain",
    )

    @api.depends("domain_ids.state", "domain_ids.name")
    def _compute_custom_domain_names(self):
        for instance in self:
            names = instance.domain_ids.filtered(lambda d: d.state == "verified")
            instance.custom_domain_names = ",".join(names.mapped("name"))

    @api.model
    def _saas_tenant_domain(self):
        return (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("saas_master.tenant_domain", "localhost")
        )

    def _add_custom_domain(self, name):
        """A new pending domain for this instance, with the checks the portal shows."""
        self.ensure_one()
        Domain = self.env["saas.instance.domain"].sudo()
        value = Domain._normalize(name)
        if self.state not in ("running", "suspended"):
            raise UserError(_("A domain can be added once the instance is running."))
        existing = Domain.search([("name", "=", value)], limit=1)
        if existing and existing.instance_id == self:
            raise UserError(_("%s is already a domain of this instance.", value))
        if existing and existing.instance_id.state in LIVE_STATES:
            raise UserError(_("%s is taken by another instance.", value))
        existing.unlink()  # of a terminated instance: the name is free again
        limit = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(DAILY_LIMIT_PARAM, DEFAULT_DAILY_LIMIT)
        )
        customer = self.partner_id.commercial_partner_id
        since = fields.Datetime.now() - timedelta(days=1)
        added = Domain.search_count(
            [
                ("partner_id", "child_of", customer.id),
                ("create_date", ">=", since),
            ]
        )
        if added >= limit:
            raise UserError(
                _(
                    "You have added %(count)s domains in the last 24 hours, the most "
                    "we allow. Please try again tomorrow.",
                    count=added,
                )
            )
        domain = Domain.create({"instance_id": self.id, "name": value})
        self.message_post(
            body=_("Custom domain %s added, waiting for its DNS record.", value),
            subtype_xmlid="mail.mt_note",
        )
        return domain

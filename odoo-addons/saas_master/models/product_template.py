import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

MODULE_NAME = re.compile(r"[a-z0-9_]+")


class ProductTemplate(models.Model):
    _inherit = "product.template"

    saas_is_plan = fields.Boolean(
        string="Is a SaaS plan",
        help="Selling this product creates (or renews) an Odoo instance.",
    )
    saas_plan_code = fields.Char(
        string="Plan code",
        copy=False,
        help="Stable technical code shared with the bridge (e.g. basic, pro).",
    )
    saas_period_months = fields.Integer(
        string="Billing period (months)",
        default=1,
    )
    saas_trial_days = fields.Integer(string="Trial days")
    saas_max_users = fields.Integer(
        string="Max users", help="Internal users allowed; 0 means unlimited."
    )
    saas_storage_mb = fields.Integer(string="Storage (MB)")
    saas_cpu_limit = fields.Float(string="CPU (cores)", digits=(4, 2))
    saas_memory_mb = fields.Integer(string="Memory (MB)")
    saas_workers = fields.Integer(string="Workers", help="0 means threaded mode.")
    # Capacity (docs/capacity.md): what a tenant may take from the shared PostgreSQL,
    # and what it is expected to use, which the bridge counts before it creates one.
    saas_db_maxconn = fields.Integer(
        string="DB connections per process",
        default=6,
        help="Odoo's db_maxconn in each tenant of this plan; the tenant's database "
        "role gets a connection limit that matches. 0 means the bridge's default (6).",
    )
    saas_expected_memory_mb = fields.Integer(
        string="Expected memory (MB)",
        default=150,
        help="What one tenant of this plan is expected to use (measured idle "
        "memory, not its ceiling): the bridge plans the host's capacity with it.",
    )
    saas_modules = fields.Char(
        string="Modules",
        help="Comma-separated technical names installed in each new instance.",
    )
    saas_apps = fields.Char(
        string="Included apps",
        help="Comma-separated technical names of the apps the customer may install "
        "besides the modules above; any other app is refused in the instance.",
    )

    _sql_constraints = [
        (
            "saas_plan_code_uniq",
            "unique(saas_plan_code)",
            "The plan code must be unique.",
        ),
    ]

    @api.constrains("saas_is_plan", "saas_plan_code", "saas_period_months")
    def _check_saas_plan(self):
        for template in self.filtered("saas_is_plan"):
            if not template.saas_plan_code:
                raise ValidationError(_("A SaaS plan needs a plan code."))
            if template.saas_period_months < 1:
                raise ValidationError(
                    _("The billing period of a plan must be at least one month.")
                )
            for field in ("saas_trial_days", "saas_max_users", "saas_storage_mb"):
                if template[field] < 0:
                    raise ValidationError(_("Plan limits cannot be negative."))

    @api.constrains("saas_modules", "saas_apps")
    def _check_saas_module_names(self):
        for template in self:
            for name in template._saas_module_list() + template._saas_app_list():
                if not MODULE_NAME.fullmatch(name):
                    raise ValidationError(
                        _("%(name)r is not a module's technical name.", name=name)
                    )

    def _saas_module_list(self):
        self.ensure_one()
        return [m.strip() for m in (self.saas_modules or "").split(",") if m.strip()]

    def _saas_app_list(self):
        self.ensure_one()
        return [m.strip() for m in (self.saas_apps or "").split(",") if m.strip()]

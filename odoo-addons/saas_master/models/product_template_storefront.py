"""What the storefront's pricing page shows of a plan, read from the plan's fields.

The page (views/storefront_templates.xml) renders ``_saas_storefront_facts`` of
each published plan, so a plan edited in the backend changes the page; the labels
go through ``_()`` so the Spanish page reads them in Spanish.
"""

from odoo import _, api, fields, models

HOURS_PER_DAY = 24
HOURS_PER_WEEK = 168


class ProductTemplate(models.Model):
    _inherit = "product.template"

    saas_support_level = fields.Selection(
        [
            ("email", "Email support"),
            ("chat", "Chat and email support"),
            ("phone", "Phone, chat and email support"),
        ],
        string="Support",
        default="email",
        help="How customers of this plan reach support; shown on the pricing page.",
    )

    @api.model
    def _saas_storefront_plans(self):
        """The plans a visitor can buy, cheapest first."""
        return self.search(
            [
                ("saas_is_plan", "=", True),
                ("sale_ok", "=", True),
                ("is_published", "=", True),
            ],
            order="list_price, id",
        )

    def _saas_storefront_facts(self):
        """Labels of the pricing page's card of this plan, in the context's language."""
        self.ensure_one()
        return {
            "period": self._saas_period_label(),
            "users": self._saas_users_label(),
            "storage": self._saas_storage_label(),
            "apps": self._saas_app_names(),
            "backups": self._saas_backup_label(),
            "support": dict(
                self._fields["saas_support_level"]._description_selection(self.env)
            ).get(self.saas_support_level, ""),
            "trial": (
                _("%(days)s-day free trial", days=self.saas_trial_days)
                if self.saas_trial_days
                else ""
            ),
        }

    def _saas_period_label(self):
        months = self.saas_period_months
        if months == 1:
            return _("per month")
        if months == 12:
            return _("per year")
        return _("every %(months)s months", months=months)

    def _saas_users_label(self):
        if not self.saas_max_users:
            return _("Unlimited users")
        if self.saas_max_users == 1:
            return _("1 user")
        return _("Up to %(users)s users", users=self.saas_max_users)

    def _saas_storage_label(self):
        mb = self.saas_storage_mb
        if mb and mb % 1024 == 0:
            return _("%(gb)s GB storage", gb=mb // 1024)
        return _("%(mb)s MB storage", mb=mb)

    def _saas_backup_label(self):
        hours = self.saas_backup_interval_hours
        if hours == HOURS_PER_DAY:
            return _("Daily backups")
        if hours == HOURS_PER_WEEK:
            return _("Weekly backups")
        if hours % HOURS_PER_DAY == 0:
            return _("Backups every %(days)s days", days=hours // HOURS_PER_DAY)
        return _("Backups every %(hours)s hours", hours=hours)

    def _saas_app_names(self):
        """The apps of the plan by their (translated) names, in the plan's order."""
        codes = self._saas_module_list()
        modules = self.env["ir.module.module"].sudo().search([("name", "in", codes)])
        names = {module.name: module.shortdesc or module.name for module in modules}
        return [names.get(code, code) for code in codes]

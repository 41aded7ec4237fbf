from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    saas_bridge_url = fields.Char(
        string="Bridge URL",
        config_parameter="saas_master.bridge_url",
        help="Base URL of the bridge, e.g. http://127.0.0.1:3000 "
        "(events are posted to <url>/v1/events).",
    )
    saas_bridge_secret = fields.Char(
        string="Bridge shared secret",
        config_parameter="saas_master.bridge_secret",
        help="Same value as BRIDGE_SHARED_SECRET on the bridge; signs every event.",
    )
    saas_tenant_domain = fields.Char(
        string="Tenant domain",
        config_parameter="saas_master.tenant_domain",
        help="Shown after the subdomain at checkout, e.g. localhost:8080 "
        "for http://<subdomain>.localhost:8080.",
    )
    # Lifecycle sweep (models/saas_instance_lifecycle.py).
    saas_reminder_days = fields.Integer(
        string="Reminder days",
        config_parameter="saas_master.reminder_days",
        default=7,
        help="Days before the expiry when the renewal invoice is created and "
        "the reminder sent.",
    )
    saas_trial_reminder_days = fields.Integer(
        string="Trial reminder days",
        config_parameter="saas_master.trial_reminder_days",
        default=3,
        help="The same, for instances in their free trial.",
    )
    saas_grace_days = fields.Integer(
        string="Grace days",
        config_parameter="saas_master.grace_days",
        default=30,
        help="Days an expired, suspended instance is kept before its data is "
        "deleted (a deletion warning goes out a week before).",
    )
    saas_sweep_hour = fields.Integer(
        string="Sweep hour (UTC)",
        config_parameter="saas_master.sweep_hour",
        default=2,
        help="Hour of the day (0-23, UTC) the lifecycle sweep runs.",
    )

    @api.constrains("saas_reminder_days", "saas_trial_reminder_days", "saas_grace_days")
    def _check_saas_lifecycle_days(self):
        for settings in self:
            if (
                min(
                    settings.saas_reminder_days,
                    settings.saas_trial_reminder_days,
                    settings.saas_grace_days,
                )
                < 0
            ):
                raise ValidationError(_("Lifecycle days cannot be negative."))
            if not 0 <= settings.saas_sweep_hour <= 23:
                raise ValidationError(_("The sweep hour must be between 0 and 23."))

    def set_values(self):
        super().set_values()
        cron = self.env.ref(
            "saas_master.ir_cron_saas_lifecycle_sweep", raise_if_not_found=False
        )
        if cron:
            cron.sudo().nextcall = next_run_at(
                fields.Datetime.now(), self.saas_sweep_hour
            )


def next_run_at(now, hour):
    """The next ``hour``:00 (UTC, naive like Odoo's datetimes) after ``now``."""
    run = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return run if run > now else run + timedelta(days=1)

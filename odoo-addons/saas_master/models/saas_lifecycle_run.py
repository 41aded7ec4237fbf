import json

from odoo import api, fields, models


class SaasLifecycleRun(models.Model):
    """One run of the daily lifecycle sweep: when, as of which day, what it did."""

    _name = "saas.lifecycle.run"
    _description = "SaaS Lifecycle Sweep Run"
    _order = "id desc"
    _rec_name = "as_of"

    as_of = fields.Date(string="As of", required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Run by", readonly=True)
    action_count = fields.Integer(string="Actions", readonly=True)
    instance_count = fields.Integer(string="Instances acted on", readonly=True)
    result = fields.Text(readonly=True, help="What the sweep did, as returned (JSON).")
    summary = fields.Text(compute="_compute_summary")

    @api.depends("result")
    def _compute_summary(self):
        for run in self:
            lines = []
            for row in json.loads(run.result or "{}").get("instances", []):
                names = ", ".join(a["action"] for a in row["actions"])
                lines.append("%s: %s" % (row["subdomain"], names))
            run.summary = "\n".join(lines) or "-"

import json

from odoo import _, fields, models


class SaasLifecycleSweepWizard(models.TransientModel):
    _name = "saas.lifecycle.sweep.wizard"
    _description = "Run the lifecycle sweep as of a date"

    as_of = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="The sweep decides as that day would: reminders, suspensions, "
        "deletion warnings and deletions due on it.",
    )

    def action_run(self):
        self.ensure_one()
        result = self.env["saas.instance"].run_lifecycle_sweep(
            fields.Date.to_string(self.as_of)
        )
        run = self.env["saas.lifecycle.run"].browse(result["run_id"])
        return {
            "type": "ir.actions.act_window",
            "name": _("Lifecycle sweep"),
            "res_model": "saas.lifecycle.run",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
            "context": {"sweep_result": json.dumps(result)},
        }

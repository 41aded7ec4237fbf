from odoo import _, api, fields, models
from odoo.exceptions import UserError

TERMINABLE_STATES = ("draft", "running", "suspended", "error")


class SaasInstanceTerminateWizard(models.TransientModel):
    """Confirmation before Terminate, naming what will be deleted."""

    _name = "saas.instance.terminate.wizard"
    _description = "Terminate an instance"

    instance_id = fields.Many2one("saas.instance", required=True, readonly=True)
    deleted_items = fields.Text(compute="_compute_deleted_items")

    @api.depends("instance_id")
    def _compute_deleted_items(self):
        for wizard in self:
            instance = wizard.instance_id
            db = instance.db_name or "tenant_%s" % (instance.subdomain or "").replace(
                "-", "_"
            )
            items = [
                _("a final backup is taken first and kept for its retention;"),
                _("the container %(name)s;", name=instance.container_ref or "-"),
                _("the address %(url)s;", url=instance.url or instance.subdomain),
                _("the database %(db)s and its role %(db)s;", db=db),
                _("the filestore (attachments) of %(db)s.", db=db),
            ]
            wizard.deleted_items = "\n".join("• " + item for item in items)

    def action_confirm(self):
        self.ensure_one()
        instance = self.instance_id
        if instance.state not in TERMINABLE_STATES:
            raise UserError(_("This instance cannot be terminated now."))
        instance._enqueue_event(
            "instance.terminate",
            {"requested_by": self.env.user.login, "purge": True},
        )
        instance.message_post(
            body=_(
                "Termination requested by %(user)s: %(items)s",
                user=self.env.user.name,
                items=self.deleted_items,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}

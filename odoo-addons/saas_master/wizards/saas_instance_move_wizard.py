import re

from odoo import _, fields, models
from odoo.exceptions import UserError

# a Swarm node's hostname, as `docker node ls` shows it (the bridge checks the same)
NODE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


class SaasInstanceMoveWizard(models.TransientModel):
    """Move a running tenant to a named Swarm node: the bridge restarts it there."""

    _name = "saas.instance.move.wizard"
    _description = "Move an instance to another node"

    instance_id = fields.Many2one("saas.instance", required=True, readonly=True)
    current_node = fields.Char(related="instance_id.node_name", string="Runs on")
    node_name = fields.Char(
        string="Move to node",
        required=True,
        help="The Swarm node's hostname (docker node ls). The tenant is down while it "
        "starts there, usually a few seconds; its data stays where it is.",
    )

    def action_confirm(self):
        self.ensure_one()
        instance = self.instance_id
        node = (self.node_name or "").strip()
        if instance.state != "running":
            raise UserError(_("Only a running instance can be moved."))
        if not NODE_NAME.match(node):
            raise UserError(
                _(
                    "%(node)s is not a node name: letters, digits, dots, dashes and "
                    "underscores, up to 63.",
                    node=node or '""',
                )
            )
        if node == instance.node_name:
            raise UserError(_("The instance already runs on %(node)s.", node=node))
        instance._enqueue_event(
            "instance.move", {"requested_by": self.env.user.login, "node": node}
        )
        instance.message_post(
            body=_(
                "Move to %(node)s requested by %(user)s.",
                node=node,
                user=self.env.user.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}

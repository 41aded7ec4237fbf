"""Asset bundles compiled once in the template, so that no tenant compiles them."""

from odoo import api, models

# what a login page and the web client load (Odoo 17): the login page's three bundles,
# then the backend's one; print and dark-mode bundles stay lazy (few owners need them)
WARM_BUNDLES = (
    "web.assets_frontend_minimal",
    "web.assets_frontend",
    "web.assets_frontend_lazy",
    "web.assets_web",
)


class SaasTenantAssets(models.AbstractModel):
    _name = "saas.tenant.assets"
    _description = "SaaS tenant: asset bundles compiled in advance"

    @api.model
    def warm_bundles(self):
        """Compile WARM_BUNDLES into attachments; returns the files made or found.

        Called by the bridge's template build (``odoo shell``), never by a tenant:
        compiling the web client's bundle takes 10-35 s and leaves 60-80 MiB in
        the Python process, which every clone would otherwise pay at its owner's
        first login. Clones copy the attachments with the database and filestore.
        """
        qweb = self.env["ir.qweb"].sudo()
        made = []
        for name in WARM_BUNDLES:
            bundle = qweb._get_asset_bundle(name)
            if bundle.javascripts:
                made += bundle.js().mapped("name")
            if bundle.stylesheets:
                made += bundle.css().mapped("name")
        return made

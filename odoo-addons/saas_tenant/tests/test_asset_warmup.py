from odoo.tests import TransactionCase, tagged

from ..models.saas_tenant_assets import WARM_BUNDLES

BUNDLE_URLS = [("url", "=like", "/web/assets/%")]


@tagged("post_install", "-at_install")
class TestAssetWarmup(TransactionCase):
    """The template build compiles the bundles; a clone's first page finds them."""

    def test_compiles_each_bundle_once_and_pages_reuse_them(self):
        attachments = self.env["ir.attachment"].sudo()
        attachments.search(BUNDLE_URLS).unlink()
        made = self.env["saas.tenant.assets"].warm_bundles()
        self.assertIn("web.assets_web.min.js", made)
        self.assertIn("web.assets_web.min.css", made)
        self.assertIn("web.assets_frontend.min.css", made)
        qweb = self.env["ir.qweb"]
        for name in WARM_BUNDLES:
            bundle = qweb._get_asset_bundle(name)
            # a page request looks this up before compiling: found, nothing to compile
            if bundle.javascripts:
                self.assertTrue(bundle.get_attachments("min.js"), name)
            if bundle.stylesheets:
                self.assertTrue(bundle.get_attachments("min.css"), name)
        stored = attachments.search_count(BUNDLE_URLS)
        self.assertEqual(
            sorted(self.env["saas.tenant.assets"].warm_bundles()), sorted(made)
        )
        self.assertEqual(attachments.search_count(BUNDLE_URLS), stored)

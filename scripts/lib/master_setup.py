# Run inside `odoo-bin shell` by scripts/stack (which gives `env`): makes a fresh
# master sell plans with no external gateway. Reads everything from the environment;
# idempotent.
import os

icp = env["ir.config_parameter"].sudo()
icp.set_param("saas_master.bridge_url", os.environ["STACK_BRIDGE_URL"])
icp.set_param("saas_master.bridge_secret", os.environ["BRIDGE_SHARED_SECRET"])
# the suffix shown after the subdomain at checkout
icp.set_param("saas_master.tenant_domain", os.environ["STACK_TENANT_DOMAIN"])
# a paid shop order also gets a posted, paid invoice (the invoice.paid path)
icp.set_param("sale.automatic_invoice", "True")
# customers sign up (or log in) at checkout, so they can open the portal afterwards
icp.set_param("auth_signup.invitation_scope", "b2c")
icp.set_param("web.base.url", os.environ["STACK_MASTER_URL"])
icp.set_param("web.base.url.freeze", "True")

for website in env["website"].search([]):
    website.write({"account_on_checkout": "mandatory", "auth_signup_uninvited": "b2c"})

demo = env.ref("payment.payment_provider_demo")
demo.write({"state": "test", "is_published": True})

# Stripe (Odoo's payment_stripe, in the master template) from STRIPE_* when given:
# test keys beside the demo provider, live keys instead of it; none: demo only
if os.environ.get("STRIPE_SECRET_KEY") or os.environ.get("STRIPE_PUBLISHABLE_KEY"):
    stripe_module = env["ir.module.module"].search([("name", "=", "payment_stripe")])
    if stripe_module.state != "installed":  # a master made before Stripe was added
        stripe_module.button_immediate_install()
print(env["payment.provider"]._saas_configure_stripe(os.environ))

bridge = env.ref("saas_master.user_saas_bridge")
bridge.write({"password": os.environ["ODOO_PASSWORD"], "active": True})
env.ref("base.user_admin").write({"password": os.environ["MASTER_ADMIN_PASSWORD"]})

# compiled asset bundles are rebuilt on the next page: one whose file went missing
# (a data dir lost or moved) would otherwise break every page's scripts
env["ir.attachment"].sudo().search([("url", "=like", "/web/assets/%")]).unlink()

env.cr.commit()
print("master configured: demo payments, automatic invoices, bridge user, signup")

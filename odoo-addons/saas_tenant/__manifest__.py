# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "SaaS Tenant",
    "summary": "Plan limits in each tenant, and the bridge's technical user",
    "version": "17.0.1.3.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "SaaS product team",
    "website": "https://example.com",
    # auth_signup (auto-installed anyway): our sign-up default loads after its own
    "depends": ["base", "web", "mail", "auth_signup"],
    "data": ["data/res_users_data.xml", "data/ir_config_parameter_data.xml"],
    "assets": {
        "web.assets_backend": [
            "saas_tenant/static/src/plan_banner/*",
        ],
    },
    "installable": True,
    "application": False,
}

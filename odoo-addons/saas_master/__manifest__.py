# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "SaaS Master",
    "summary": "Sell Odoo instances: plans, subdomain at checkout, bridge outbox",
    "version": "17.0.1.1.0",
    "category": "Sales",
    "license": "LGPL-3",
    "author": "SaaS product team",
    "website": "https://example.com",
    "depends": [
        "account",
        "mail",
        "portal",
        "sale_management",
        "website_sale",
    ],
    "data": [
        "security/security.xml",
        "security/ir.model.access.csv",
        "views/saas_instance_views.xml",
        "views/saas_bridge_event_views.xml",
        "views/product_template_views.xml",
        "views/sale_order_views.xml",
        "views/res_config_settings_views.xml",
        "views/website_sale_templates.xml",
        "views/portal_templates.xml",
        "views/saas_master_menus.xml",
        "data/res_users_data.xml",
        "data/product_plan_data.xml",
        "data/saas_bridge_event_cron.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "saas_master/static/src/js/saas_subdomain.js",
        ],
        "web.assets_tests": [
            "saas_master/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": True,
}

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "SaaS Tenant",
    "summary": "Plan limits in each tenant, and the bridge's technical user",
    "version": "17.0.1.1.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "SaaS product team",
    "website": "https://example.com",
    "depends": ["base", "web", "mail"],
    "data": ["data/res_users_data.xml"],
    "installable": True,
    "application": False,
}

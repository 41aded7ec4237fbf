# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "SaaS Tenant",
    "summary": "Plan limits inside each tenant database (max internal users)",
    "version": "17.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "SaaS product team",
    "website": "https://example.com",
    "depends": ["base", "web", "mail"],
    "data": [],
    "installable": True,
    "application": False,
}

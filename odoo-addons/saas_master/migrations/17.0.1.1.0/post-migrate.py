"""Gives instances made before tenant refs existed a tenant_ref.

Their database, role, container and data dir were named from the subdomain
(``tenant_<sub with - as _>``, ``saas-tenant-<sub>``); the bridge now names them
from the ref with the same rule. So the instance that owns those names gets its
subdomain as ref, and nothing on the tenant side is renamed. Where several
instances shared a subdomain (one re-sold after a termination), one of them can
own the names: the live provisioned one first, then the one whose recorded
database has that name, then the live one, then the newest. The others get a
new random ref (their resources, if any, carry another name or are gone).
"""

import logging

from odoo.addons.saas_master.models.saas_instance import new_tenant_ref

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    cr.execute(
        """
        SELECT id, subdomain FROM saas_instance
         WHERE tenant_ref IS NULL
         ORDER BY subdomain,
                  (state != 'terminated' AND provisioned_at IS NOT NULL) DESC,
                  (db_name = 'tenant_' || replace(subdomain, '-', '_')) DESC NULLS LAST,
                  (state != 'terminated') DESC,
                  id DESC
        """
    )
    rows = cr.fetchall()
    cr.execute("SELECT tenant_ref FROM saas_instance WHERE tenant_ref IS NOT NULL")
    taken = {ref for (ref,) in cr.fetchall()}
    kept = renamed = 0
    for instance_id, subdomain in rows:
        if subdomain not in taken:
            ref = subdomain
            kept += 1
        else:
            ref = new_tenant_ref()
            while ref in taken:
                ref = new_tenant_ref()
            renamed += 1
        taken.add(ref)
        cr.execute(
            "UPDATE saas_instance SET tenant_ref = %s WHERE id = %s", (ref, instance_id)
        )
    _logger.info(
        "saas_master: tenant_ref set on %s instances (%s keep their names, %s new)",
        kept + renamed,
        kept,
        renamed,
    )

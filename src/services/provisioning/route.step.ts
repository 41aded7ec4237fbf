import { routeInstanceHosts } from '../instance-hosts.js';
import { ODOO_HTTP_PORT } from '../tenant-runtime.js';
import type { ProvisionContext, ProvisioningDeps, ReadyTenant } from './context.js';

/**
 * <subdomain>.<domain> (and its verified custom domains) to the tenant's current address; the route
 * carries its owner and instance.
 */
export async function ensureRoute(
  deps: ProvisioningDeps,
  ctx: ProvisionContext,
  tenant: ReadyTenant,
): Promise<void> {
  await routeInstanceHosts(
    deps,
    ctx.names.host,
    ctx.instance,
    `${tenant.container.ip}:${ODOO_HTTP_PORT}`,
  );
}

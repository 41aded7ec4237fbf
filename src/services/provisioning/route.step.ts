import { instanceHosts } from '../instance-hosts.js';
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
  for (const host of instanceHosts(ctx.names.host, ctx.instance))
    await deps.proxy.routeToUpstream(
      host,
      `${tenant.container.ip}:${ODOO_HTTP_PORT}`,
      deps.identity.routeLabels(ctx.instance),
    );
}

import { ODOO_HTTP_PORT } from '../tenant-runtime.js';
import type { ProvisionContext, ProvisioningDeps, ReadyTenant } from './context.js';

/** <subdomain>.<domain> to the tenant's current address; the route carries its owner and instance. */
export async function ensureRoute(
  deps: ProvisioningDeps,
  ctx: ProvisionContext,
  tenant: ReadyTenant,
): Promise<void> {
  await deps.proxy.routeToUpstream(
    ctx.names.host,
    `${tenant.container.ip}:${ODOO_HTTP_PORT}`,
    deps.identity.routeLabels(ctx.instance),
  );
}

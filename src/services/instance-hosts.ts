import type { InstanceRecord } from '../ports/odoo.port.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import type { TenantIdentity } from './tenant-identity.js';

/**
 * The hosts an instance answers on: its subdomain, then its verified custom domains (issue 16).
 * Whatever routes the subdomain (provisioning, suspension, reactivation, a new container address,
 * termination) does the same for each.
 */
export function instanceHosts(
  subdomainHost: string,
  instance: Pick<InstanceRecord, 'customDomains'>,
): string[] {
  return [subdomainHost, ...(instance.customDomains ?? [])];
}

/**
 * Routes every host of the instance (its subdomain's `subdomainHost`, then its custom domains) to
 * `upstream` (the tenant's `ip:port`), each route carrying the instance's owner labels.
 */
export async function routeInstanceHosts(
  deps: {
    proxy: Pick<ProxyPort, 'routeToUpstream'>;
    identity: Pick<TenantIdentity, 'routeLabels'>;
  },
  subdomainHost: string,
  instance: InstanceRecord,
  upstream: string,
): Promise<void> {
  for (const host of instanceHosts(subdomainHost, instance))
    await deps.proxy.routeToUpstream(host, upstream, deps.identity.routeLabels(instance));
}

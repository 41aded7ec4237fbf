import type { InstanceRecord } from '../ports/odoo.port.js';

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

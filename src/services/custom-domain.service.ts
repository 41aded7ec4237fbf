import { BridgeError } from '../errors.js';
import type { DockerPort } from '../ports/docker.port.js';
import type { DomainProbePort, ProbeResult } from '../ports/domain-probe.port.js';
import type { DomainProblem, DomainRecordsPort } from '../ports/domain-records.port.js';
import type { InstanceRecord, OdooPort } from '../ports/odoo.port.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import type { TenantPort } from '../ports/tenant.port.js';
import { publicUrl } from './naming.js';
import { escapeHtml } from './secrets.js';
import type { TenantIdentity } from './tenant-identity.js';
import { ODOO_HTTP_PORT } from './tenant-runtime.js';

export interface CustomDomainDeps {
  odoo: Pick<OdooPort, 'getInstance' | 'updateInstance'>;
  domains: DomainRecordsPort;
  proxy: ProxyPort;
  docker: Pick<DockerPort, 'findContainer'>;
  tenant: Pick<TenantPort, 'setBaseUrl'>;
  probe: DomainProbePort;
  identity: TenantIdentity;
  publicUrl: { scheme: 'http' | 'https'; port: number | undefined };
  /** the plain HTTP port a domain's check is fetched on (80 in production) */
  checkPort: number;
  renewUrl(instanceId: number): string;
}

export interface VerifyRequest {
  domainId: number;
  domain: string;
  token: string;
}

export const CHALLENGE_PREFIX = '/.well-known/saas-domain/';

/** The problem a probe shows, or undefined when the token came back: the domain points here. */
export function problemOf(
  result: ProbeResult,
  token: string,
): { problem: DomainProblem; detail: string } | undefined {
  if (result.kind === 'no-record') return { problem: 'no_record', detail: '' };
  if (result.kind === 'answered' && result.status === 200 && result.body.trim() === token)
    return undefined;
  return { problem: 'elsewhere', detail: result.addresses.join(', ') };
}

/**
 * A customer's own domain (issue 16). The master decides (adds, asks for a check, removes); this
 * acts: a token route on the proxy for the host, a fetch of it through the domain's DNS, then the
 * host routed like the subdomain and the tenant's base URL moved to it; the outcome is written
 * back to the domain record. Removing drops the route and moves the base URL back.
 */
export class CustomDomainService {
  constructor(private readonly deps: CustomDomainDeps) {}

  async verify(instanceId: number, request: VerifyRequest): Promise<string> {
    const { deps } = this;
    const instance = await deps.odoo.getInstance(instanceId);
    if (!instance)
      throw new BridgeError('instance_not_found', `instance ${instanceId} does not exist`, true);
    if (instance.state !== 'running' && instance.state !== 'suspended') {
      await deps.domains.reportCheck(request.domainId, {
        verified: false,
        problem: 'not_running',
        detail: instance.state,
      });
      return `not checked: instance is ${instance.state}`;
    }
    const path = `${CHALLENGE_PREFIX}${request.token}`;
    await deps.proxy.routeChallenge(request.domain, path, request.token);
    let result: ProbeResult;
    try {
      result = await deps.probe.probe(request.domain, deps.checkPort, path);
    } finally {
      await deps.proxy.removeChallenge(request.domain);
    }
    const found = problemOf(result, request.token);
    if (found) {
      await deps.domains.reportCheck(request.domainId, { verified: false, ...found });
      return `not verified: ${found.problem}`;
    }
    await this.route(instance, request.domain);
    const url = publicUrl(request.domain, deps.publicUrl.scheme, deps.publicUrl.port);
    await this.moveBaseUrl(instance, url);
    await deps.domains.reportCheck(request.domainId, { verified: true });
    return 'verified';
  }

  /** the route, the base URL back to the subdomain (or another verified domain) */
  async remove(instanceId: number, domain: string, wasVerified: boolean): Promise<string> {
    const { deps } = this;
    await deps.proxy.removeRoute(domain);
    await deps.proxy.removeChallenge(domain);
    if (!wasVerified) return 'removed';
    const instance = await deps.odoo.getInstance(instanceId);
    if (!instance || instance.state === 'terminated') return 'removed';
    const names = deps.identity.namesOf(instance);
    const next = (instance.customDomains ?? []).find((d) => d !== domain) ?? names.host;
    await this.moveBaseUrl(
      instance,
      publicUrl(next, deps.publicUrl.scheme, deps.publicUrl.port),
      domain,
    );
    return 'removed';
  }

  /** the custom host serves what the subdomain serves: the tenant, or the suspended page */
  private async route(instance: InstanceRecord, host: string): Promise<void> {
    const { deps } = this;
    const labels = deps.identity.routeLabels(instance);
    if (instance.state === 'suspended') {
      await deps.proxy.routeToSuspendedPage(host, deps.renewUrl(instance.id), labels);
      return;
    }
    const names = deps.identity.namesOf(instance);
    const container = await deps.docker.findContainer(names.container);
    if (!container?.ip)
      throw new BridgeError('docker_failed', `container ${names.container} has no address`);
    await deps.proxy.routeToUpstream(host, `${container.ip}:${ODOO_HTTP_PORT}`, labels);
  }

  private async moveBaseUrl(instance: InstanceRecord, url: string, removed?: string) {
    const { deps } = this;
    const db = instance.dbName ?? deps.identity.namesOf(instance).db;
    await deps.tenant.setBaseUrl(db, url);
    const note = removed
      ? `Custom domain ${escapeHtml(removed)} removed; the instance's address is now ${escapeHtml(url)}.`
      : `The instance's address is now ${escapeHtml(url)} (custom domain verified).`;
    await deps.odoo.updateInstance(instance.id, { url }, note);
  }
}

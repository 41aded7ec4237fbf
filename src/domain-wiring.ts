import { DomainProbeAdapter } from './adapters/domain-probe.adapter.js';
import { MasterDomainRepository } from './adapters/master-domain.repository.js';
import type { OdooClient } from './adapters/odoo.client.js';
import type { Config } from './config.js';
import { domainJobDefinitions } from './jobs/domain.jobs.js';
import type { DockerPort } from './ports/docker.port.js';
import type { JobDefinition } from './ports/jobs.port.js';
import type { LockPort } from './ports/lock.port.js';
import type { OdooPort } from './ports/odoo.port.js';
import type { ProxyPort } from './ports/proxy.port.js';
import type { TenantPort } from './ports/tenant.port.js';
import { CustomDomainService } from './services/custom-domain.service.js';
import type { TenantIdentity } from './services/tenant-identity.js';

export interface DomainWiringDeps {
  config: Config;
  odooClient: OdooClient;
  odoo: OdooPort;
  proxy: ProxyPort;
  docker: DockerPort;
  tenant: TenantPort;
  identity: TenantIdentity;
  locks: LockPort;
  renewUrl(instanceId: number): string;
}

/** Customers' own domains (issue 16): the service and its jobs, from the adapters wiring has. */
export function wireDomains(deps: DomainWiringDeps): { jobs: JobDefinition[] } {
  const domains = new CustomDomainService({
    odoo: deps.odoo,
    domains: new MasterDomainRepository(deps.odooClient),
    proxy: deps.proxy,
    docker: deps.docker,
    tenant: deps.tenant,
    probe: new DomainProbeAdapter(),
    identity: deps.identity,
    publicUrl: { scheme: deps.config.proxy.scheme, port: deps.config.proxy.port },
    checkPort: deps.config.proxy.domainCheckPort,
    renewUrl: deps.renewUrl,
  });
  return { jobs: domainJobDefinitions({ domains, locks: deps.locks }) };
}

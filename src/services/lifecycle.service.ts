import { BridgeError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { DockerPort } from '../ports/docker.port.js';
import type { InstanceRecord, OdooPort } from '../ports/odoo.port.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import type { TenantPort } from '../ports/tenant.port.js';
import { tenantContainerName, tenantHost } from './naming.js';
import { odooDatetime, type ProvisioningService } from './provisioning.service.js';
import { escapeHtml } from './secrets.js';
import { ODOO_HTTP_PORT } from './tenant-runtime.js';

export interface LifecycleDeps {
  odoo: OdooPort;
  docker: DockerPort;
  proxy: ProxyPort;
  tenant: TenantPort;
  provisioning: ProvisioningService;
  logger: Logger;
  baseDomain: string;
  /** the customer's renew page in the master portal, for the suspended page */
  renewUrl(instanceId: number): string;
  readyTimeoutMs: number;
}

/** Suspension, reactivation, termination and payments of instances that exist. Data is never deleted here. */
export class LifecycleService {
  constructor(private readonly deps: LifecycleDeps) {}

  /** A paid invoice: first payment provisions, a suspended instance comes back, a running one is noted. */
  async paid(instanceId: number): Promise<string> {
    const instance = await this.load(instanceId);
    if (['draft', 'provisioning', 'error'].includes(instance.state)) {
      return this.deps.provisioning.provision(instanceId);
    }
    if (instance.state === 'suspended') return this.reactivate(instanceId);
    return `nothing to do (${instance.state})`;
  }

  async suspend(instanceId: number): Promise<string> {
    const instance = await this.load(instanceId);
    if (instance.state === 'suspended') return 'already suspended';
    if (instance.state !== 'running' && instance.state !== 'error')
      return `not suspended: instance is ${instance.state}`;
    await this.deps.docker.stopContainer(tenantContainerName(instance.subdomain));
    await this.deps.proxy.routeToSuspendedPage(
      this.hostOf(instance),
      this.deps.renewUrl(instanceId),
    );
    await this.deps.odoo.updateInstance(instanceId, {
      state: 'suspended',
      suspended_since: odooDatetime(new Date()),
    });
    await this.deps.odoo.postNote(instanceId, 'Instance suspended: container stopped, data kept.');
    return 'suspended';
  }

  async reactivate(instanceId: number): Promise<string> {
    const instance = await this.load(instanceId);
    if (instance.state === 'running') return 'already running';
    if (instance.state !== 'suspended') return `not reactivated: instance is ${instance.state}`;
    const name = tenantContainerName(instance.subdomain);
    if (!(await this.deps.docker.findContainer(name))) {
      // container lost while suspended: provisioning rebuilds it on the kept database
      await this.deps.odoo.updateInstance(instanceId, { state: 'provisioning' });
      return this.deps.provisioning.provision(instanceId);
    }
    const started = Date.now();
    const container = await this.deps.docker.startContainer(name);
    if (!container.ip) throw new BridgeError('docker_failed', `container ${name} has no address`);
    const directUrl = `http://${container.ip}:${ODOO_HTTP_PORT}`;
    await this.deps.tenant.waitReady(directUrl, this.deps.readyTimeoutMs);
    await this.deps.proxy.routeToUpstream(
      this.hostOf(instance),
      `${container.ip}:${ODOO_HTTP_PORT}`,
    );
    await this.deps.odoo.updateInstance(instanceId, {
      state: 'running',
      direct_url: directUrl,
      suspended_since: false,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    await this.deps.odoo.postNote(instanceId, `Instance reactivated in ${seconds} s.`);
    return 'running';
  }

  /** Stops and removes the container and the route; the database and filestore stay for the final backup. */
  async terminate(instanceId: number): Promise<string> {
    const instance = await this.load(instanceId);
    if (instance.state === 'terminated') return 'already terminated';
    await this.deps.odoo.updateInstance(instanceId, { state: 'terminating' });
    await this.deps.docker.removeContainer(tenantContainerName(instance.subdomain));
    await this.deps.proxy.removeRoute(this.hostOf(instance));
    await this.deps.odoo.updateInstance(instanceId, { state: 'terminated' });
    await this.deps.odoo.postNote(
      instanceId,
      `Instance terminated: container and route removed; database ${escapeHtml(instance.dbName ?? '-')} kept.`,
    );
    return 'terminated';
  }

  private hostOf(instance: InstanceRecord): string {
    return tenantHost(instance.subdomain, this.deps.baseDomain);
  }

  private async load(instanceId: number): Promise<InstanceRecord> {
    const instance = await this.deps.odoo.getInstance(instanceId);
    if (!instance)
      throw new BridgeError(
        'instance_not_found',
        `instance ${instanceId} does not exist in the master`,
        true,
      );
    return instance;
  }
}

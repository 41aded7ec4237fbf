import { BridgeError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { DockerPort } from '../ports/docker.port.js';
import type { OdooPort } from '../ports/odoo.port.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import type { TenantPort } from '../ports/tenant.port.js';
import { loadInstance } from './instance-loader.js';
import { odooDatetime, type ProvisioningService } from './provisioning.service.js';
import { escapeHtml } from './secrets.js';
import type { TenantIdentity } from './tenant-identity.js';
import { ODOO_HTTP_PORT } from './tenant-runtime.js';

export interface LifecycleDeps {
  odoo: OdooPort;
  docker: DockerPort;
  proxy: ProxyPort;
  tenant: TenantPort;
  provisioning: ProvisioningService;
  identity: TenantIdentity;
  logger: Logger;
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
    const names = this.deps.identity.namesOf(instance);
    await this.deps.docker.stopContainer(names.container);
    await this.deps.proxy.routeToSuspendedPage(
      names.host,
      this.deps.renewUrl(instanceId),
      this.deps.identity.routeLabels(instance),
    );
    await this.deps.odoo.updateInstance(
      instanceId,
      { state: 'suspended', suspended_since: odooDatetime(new Date()) },
      'Instance suspended: container stopped, data kept.',
    );
    return 'suspended';
  }

  async reactivate(instanceId: number): Promise<string> {
    const instance = await this.load(instanceId);
    if (instance.state === 'running') return 'already running';
    if (instance.state !== 'suspended') return `not reactivated: instance is ${instance.state}`;
    const names = this.deps.identity.namesOf(instance);
    const name = names.container;
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
      names.host,
      `${container.ip}:${ODOO_HTTP_PORT}`,
      this.deps.identity.routeLabels(instance),
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    await this.deps.odoo.updateInstance(
      instanceId,
      { state: 'running', direct_url: directUrl, suspended_since: false },
      `Instance reactivated in ${seconds} s.`,
    );
    return 'running';
  }

  /** Stops and removes the container and the route; the database and filestore stay for the final backup. */
  async terminate(instanceId: number): Promise<string> {
    const instance = await this.load(instanceId);
    if (instance.state === 'terminated') return 'already terminated';
    const names = this.deps.identity.namesOf(instance);
    await this.deps.odoo.updateInstance(instanceId, { state: 'terminating' });
    await this.deps.docker.removeContainer(names.container);
    await this.deps.proxy.removeRoute(names.host);
    await this.deps.odoo.updateInstance(
      instanceId,
      { state: 'terminated' },
      `Instance terminated: container and route removed; database ${escapeHtml(instance.dbName ?? names.db)} kept.`,
    );
    return 'terminated';
  }

  private load(instanceId: number) {
    return loadInstance(this.deps.odoo, instanceId);
  }
}

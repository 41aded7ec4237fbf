import { BridgeError, errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { DockerPort } from '../ports/docker.port.js';
import type { OdooPort } from '../ports/odoo.port.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import type { TenantPort } from '../ports/tenant.port.js';
import { routeInstanceHosts } from './instance-hosts.js';
import { loadInstance } from './instance-loader.js';
import { escapeHtml } from './secrets.js';
import type { TenantIdentity } from './tenant-identity.js';
import { ODOO_HTTP_PORT } from './tenant-runtime.js';

export interface MoveDeps {
  odoo: OdooPort;
  docker: DockerPort;
  proxy: ProxyPort;
  tenant: Pick<TenantPort, 'waitReady'>;
  identity: TenantIdentity;
  logger: Logger;
  readyTimeoutMs: number;
}

/**
 * An admin moves one tenant to a named Swarm node (`instance.move`): the tenant is pinned there and
 * restarted on it (down for its boot; its database and attachments stay on PostgreSQL), its routes
 * follow the new address, and the master shows the node. On one host there is nowhere to move to.
 */
export class MoveService {
  constructor(private readonly deps: MoveDeps) {}

  async move(instanceId: number, node: string): Promise<string> {
    const { odoo, docker } = this.deps;
    const instance = await loadInstance(odoo, instanceId);
    if (instance.state !== 'running') return `nothing to move (${instance.state})`;
    if (!docker.moveTo)
      throw new BridgeError(
        'bad_request',
        'moving a tenant to another node needs DOCKER_MODE=swarm; this bridge runs its tenants on one host',
        true,
      );
    const names = this.deps.identity.namesOf(instance);
    const before = await docker.findContainer(names.container);
    if (!before) throw new BridgeError('docker_failed', `tenant ${names.container} does not exist`);
    const started = Date.now();
    const moved = await docker.moveTo(names.container, node);
    if (!moved.ip)
      throw new BridgeError('docker_failed', `${names.container} has no address on ${node}`);
    const directUrl = `http://${moved.ip}:${ODOO_HTTP_PORT}`;
    await this.deps.tenant.waitReady(directUrl, this.deps.readyTimeoutMs);
    await routeInstanceHosts(this.deps, names.host, instance, `${moved.ip}:${ODOO_HTTP_PORT}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const from = before.node ?? instance.node ?? 'its node';
    await odoo.updateInstance(
      instance.id,
      { node_name: node, direct_url: directUrl },
      `Moved from ${escapeHtml(from)} to ${escapeHtml(node)}: answering again after ${seconds} s.`,
    );
    this.deps.logger.info({ instance: instance.id, from, to: node, seconds }, 'tenant moved');
    return 'moved';
  }

  /** after the last attempt: the admin reads why on the instance, which stays where it runs */
  async recordFailure(instanceId: number, node: string | undefined, err: unknown): Promise<void> {
    await this.deps.odoo
      .postNote(
        instanceId,
        `Move to ${escapeHtml(node ?? '?')} failed: ${escapeHtml(errorMessage(err))}`,
      )
      .catch(() => undefined);
  }
}

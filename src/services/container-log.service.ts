import { BridgeError } from '../errors.js';
import type { DockerPort } from '../ports/docker.port.js';
import type { OdooPort } from '../ports/odoo.port.js';
import { loadInstance } from './instance-loader.js';
import type { TenantIdentity } from './tenant-identity.js';

/** lines an admin may ask for at once */
export const MAX_LOG_LINES = 500;

/**
 * The last lines of an instance's tenant container, for the admin's instance form. Only the
 * container this master's instance owns (labels), never another owner's of the same name.
 */
export class ContainerLogService {
  constructor(
    private readonly deps: { odoo: OdooPort; docker: DockerPort; identity: TenantIdentity },
  ) {}

  async tail(instanceId: number, lines: number): Promise<string> {
    const instance = await loadInstance(this.deps.odoo, instanceId);
    const { container } = this.deps.identity.namesOf(instance);
    const found = await this.deps.docker.findContainer(container);
    if (!found || !this.deps.identity.ownsContainer(found, instance))
      throw new BridgeError('not_found', `instance ${instanceId} has no container`, true);
    return this.deps.docker.logTail(container, Math.min(Math.max(lines, 1), MAX_LOG_LINES));
  }
}

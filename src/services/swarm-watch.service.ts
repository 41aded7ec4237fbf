import type { Logger } from '../observability/logger.js';
import type { DockerPort } from '../ports/docker.port.js';
import { MANAGED_LABEL } from './tenant-runtime.js';

export interface SwarmWatchDeps {
  docker: Pick<DockerPort, 'listContainers'>;
  /** a reconcile pass now: it re-routes every running tenant and writes its node and address */
  reconcileNow(): Promise<void>;
  logger: Logger;
}

/**
 * Swarm starts a tenant elsewhere by itself (a node lost, a drain), at a new address, and tells
 * nobody. This pass, every few seconds, compares each tenant's address with the one it saw last
 * and asks for a reconcile pass when one changed, instead of leaving the tenant unreachable until
 * the next scheduled pass (RECONCILE_INTERVAL_SECONDS). What it saw lives in this process only: a
 * bridge that starts reconciles once anyway.
 */
export class SwarmWatchService {
  private seen = new Map<string, string>();

  constructor(private readonly deps: SwarmWatchDeps) {}

  async pass(): Promise<{ moved: string[] }> {
    const listed = await this.deps.docker.listContainers(MANAGED_LABEL);
    const next = new Map<string, string>();
    const moved: string[] = [];
    for (const c of listed) {
      const before = this.seen.get(c.name);
      if (c.status === 'running' && c.ip) {
        if (before !== undefined && before !== c.ip) moved.push(c.name);
        next.set(c.name, c.ip);
      } else if (before !== undefined) {
        // between two tasks (no address yet): the old address is what the routes still point to
        next.set(c.name, before);
      }
    }
    this.seen = next;
    if (moved.length) {
      this.deps.logger.info({ moved }, 'tenants at new addresses: reconciling now');
      await this.deps.reconcileNow();
    }
    return { moved };
  }
}

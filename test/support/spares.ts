import { pino } from 'pino';
import { ProvisioningService } from '../../src/services/provisioning.service.js';
import { SpareService } from '../../src/services/spare.service.js';
import type { WarmSparesSetting } from '../../src/services/warm-spares.js';
import { RUNTIME, type World } from './world.js';

/**
 * Warm spares over a world's ports (WARM_SPARES as `setting`), and a provisioning that takes them;
 * `replenishRequests` counts the replenish jobs a taken spare queued.
 */
export function worldSpares(world: World, setting: WarmSparesSetting = { starter: 1 }) {
  const spares = new SpareService({
    db: world.provisioningDeps.db,
    docker: world.provisioningDeps.docker,
    filestore: world.provisioningDeps.filestore,
    tenant: world.provisioningDeps.tenant,
    locks: world.locks,
    templates: world.templates,
    identity: world.identity,
    runtime: RUNTIME,
    logger: pino({ level: 'silent' }),
    readyTimeoutMs: 5_000,
    setting,
    capacity: world.capacity,
  });
  const replenishRequests: string[] = [];
  const provisioning = new ProvisioningService({
    ...world.provisioningDeps,
    spares,
    onSpareTaken: async (plan) => void replenishRequests.push(plan.code),
  });
  return { spares, provisioning, replenishRequests };
}

import { z } from 'zod';
import type { OdooPort } from '../ports/odoo.port.js';
import { QUEUES, type JobQueuePort } from '../ports/jobs.port.js';
import type { ReplenishReport, SpareService } from '../services/spare.service.js';
import { defineJob } from './define-job.js';

/**
 * Every plan back to its warm spares (WARM_SPARES): at start, after each spare taken, and on a
 * schedule (a spare that vanished, a new template). The maintenance queue runs one job at a time,
 * so two passes never make the same spare twice.
 */
export function replenishSparesJob(deps: {
  odoo: Pick<OdooPort, 'listPlans' | 'listInstances'>;
  spares: SpareService;
}) {
  return defineJob<object, ReplenishReport>({
    name: 'replenish-spares',
    queue: QUEUES.maintenance,
    schema: z.object({}),
    attempts: 2,
    backoff: { type: 'exponential', delayMs: 5_000 },
    handler: async () => {
      const [plans, instances] = await Promise.all([
        deps.odoo.listPlans(),
        deps.odoo.listInstances(),
      ]);
      return deps.spares.replenish(plans, new Set(instances.map((i) => i.tenantRef)));
    },
  });
}

/** at start and after a spare was taken (each its own job: one queued later is not swallowed) */
export async function replenishSparesNow(queue: JobQueuePort, now = Date.now()): Promise<void> {
  await queue.enqueue('replenish-spares', {}, { jobId: `replenish-spares-${now}` });
}

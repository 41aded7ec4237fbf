import { z } from 'zod';
import { QUEUES } from '../ports/jobs.port.js';
import type { CapacityReport, CapacityWatchService } from '../services/capacity-watch.service.js';
import { defineJob } from './define-job.js';

/** The host's headroom on /metrics, alerts, and waiting instances let go; the next pass comes soon. */
export function capacityCheckJob(deps: { capacityWatch: CapacityWatchService }) {
  return defineJob<object, CapacityReport>({
    name: 'capacity-check',
    queue: QUEUES.maintenance,
    schema: z.object({}),
    attempts: 1,
    handler: () => deps.capacityWatch.pass(),
  });
}

import { QUEUES } from '../ports/jobs.port.js';
import { measureUsageSchema, type MeasureUsageData } from '../schemas/job.schema.js';
import type { Usage, UsageService } from '../services/usage.service.js';
import { defineJob } from './define-job.js';

/** Active users, database and filestore size of one instance, written into the master. */
export function measureUsageJob(deps: { usage: UsageService }) {
  return defineJob<MeasureUsageData, Usage | 'nothing to measure'>({
    name: 'measure-usage',
    queue: QUEUES.maintenance,
    schema: measureUsageSchema,
    // the next slot measures again: a failure is not worth many retries
    attempts: 2,
    backoff: { type: 'fixed', delayMs: 30_000 },
    handler: async ({ instanceId }) =>
      (await deps.usage.measure(instanceId)) ?? 'nothing to measure',
  });
}

import { QUEUES, type JobQueuePort } from '../ports/jobs.port.js';
import { scanIdleSchema } from '../schemas/hibernation-job.schema.js';
import type { HibernationService } from '../services/hibernation.service.js';
import { defineJob } from './define-job.js';
import { enqueueWake } from './wake-instance.job.js';

/**
 * Every HIBERNATION_SCAN_SECONDS: queues sleep-instance for each tenant idle for its plan's time,
 * once per minute (the minute is in the job id); the sleep job looks again before it acts.
 */
export function scanIdleJob(deps: { hibernation: HibernationService; queue: JobQueuePort }) {
  return defineJob<Record<string, never>, string>({
    name: 'scan-idle',
    queue: QUEUES.maintenance,
    schema: scanIdleSchema,
    attempts: 1,
    handler: async () => {
      const idle = await deps.hibernation.idleInstances();
      const minute = Math.floor(Date.now() / 60_000);
      for (const instanceId of idle)
        await deps.queue.enqueue(
          'sleep-instance',
          { instanceId },
          { jobId: `sleep-instance-${instanceId}-${minute}` },
        );
      const stale = await deps.hibernation.clearStaleFlags();
      // sleeping tenants whose scheduled actions are due: woken like by a visitor
      const crons = await deps.hibernation.dueCronWakes();
      for (const instanceId of crons) await enqueueWake(deps.queue, instanceId);
      return `${idle.length} idle, ${stale.length} stale flags cleared, ${crons.length} woken for their crons`;
    },
  });
}

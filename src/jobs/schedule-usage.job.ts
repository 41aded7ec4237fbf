import { z } from 'zod';
import { QUEUES, type JobQueuePort } from '../ports/jobs.port.js';
import type { UsageService } from '../services/usage.service.js';
import { defineJob } from './define-job.js';

export const scheduleUsageSchema = z.object({}).strict();
/** how often the planner looks for instances whose slot of the hour has come */
export const USAGE_PLANNER_EVERY_MS = 5 * 60_000;

/**
 * Runs every few minutes: queues each instance's measurement of its current slot of the hour,
 * once per slot (the slot is in the job id), so the measurements spread over the hour.
 */
export function scheduleUsageJob(deps: { usage: UsageService; queue: JobQueuePort }) {
  return defineJob<Record<string, never>, string>({
    name: 'schedule-usage',
    queue: QUEUES.maintenance,
    schema: scheduleUsageSchema,
    attempts: 1,
    handler: async () => {
      const due = await deps.usage.dueMeasurements(Date.now());
      for (const { instanceId, slotStart } of due) {
        await deps.queue.enqueue(
          'measure-usage',
          { instanceId },
          { jobId: `measure-usage-${instanceId}-${slotStart}` },
        );
      }
      return `${due.length} measurements`;
    },
  });
}

import { QUEUES, type JobDefinition, type JobQueuePort } from '../ports/jobs.port.js';
import type { LockPort } from '../ports/lock.port.js';
import {
  hibernationJobSchema,
  type HibernationJobData,
} from '../schemas/hibernation-job.schema.js';
import type { HibernationService } from '../services/hibernation.service.js';
import { defineJob } from './define-job.js';
import { oneJobPerInstance } from './instance-lock.js';

/** visitors of the same few seconds share one wake job */
const WAKE_WINDOW_MS = 10_000;

/** Queues the wake of an instance; every poll of the waking page asks, one job per window runs. */
export async function enqueueWake(
  queue: JobQueuePort,
  instanceId: number,
  now = Date.now(),
): Promise<void> {
  await queue.enqueue(
    'wake-instance',
    { instanceId },
    { jobId: `wake-instance-${instanceId}-${Math.floor(now / WAKE_WINDOW_MS)}` },
  );
}

/** Starts a sleeping tenant and routes its hosts back to it; a visitor waits on the waking page. */
export function wakeInstanceJob(deps: {
  hibernation: HibernationService;
  locks: LockPort;
}): JobDefinition {
  return defineJob<HibernationJobData, string>({
    name: 'wake-instance',
    queue: QUEUES.instances,
    schema: hibernationJobSchema,
    attempts: 3,
    backoff: { type: 'fixed', delayMs: 1_000 },
    handler: oneJobPerInstance(deps.locks, ({ instanceId }) => deps.hibernation.wake(instanceId)),
  });
}

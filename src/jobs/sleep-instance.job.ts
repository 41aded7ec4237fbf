import { QUEUES, type JobDefinition } from '../ports/jobs.port.js';
import type { LockPort } from '../ports/lock.port.js';
import {
  hibernationJobSchema,
  type HibernationJobData,
} from '../schemas/hibernation-job.schema.js';
import type { HibernationService } from '../services/hibernation.service.js';
import { defineJob } from './define-job.js';
import { oneJobPerInstance } from './instance-lock.js';

/** Stops an idle tenant and routes its hosts to the wake handler (one job per instance at a time). */
export function sleepInstanceJob(deps: {
  hibernation: HibernationService;
  locks: LockPort;
}): JobDefinition {
  return defineJob<HibernationJobData, string>({
    name: 'sleep-instance',
    queue: QUEUES.instances,
    schema: hibernationJobSchema,
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 2_000 },
    handler: oneJobPerInstance(deps.locks, ({ instanceId }) => deps.hibernation.sleep(instanceId)),
  });
}

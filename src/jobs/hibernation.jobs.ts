import type { JobDefinition, JobQueuePort } from '../ports/jobs.port.js';
import type { LockPort } from '../ports/lock.port.js';
import type { HibernationService } from '../services/hibernation.service.js';
import { scanIdleJob } from './scan-idle.job.js';
import { sleepInstanceJob } from './sleep-instance.job.js';
import { wakeInstanceJob } from './wake-instance.job.js';

/** Hibernation's jobs (docs/hibernation.md): the idle scan, putting a tenant to sleep, waking it. */
export function hibernationJobDefinitions(deps: {
  hibernation: HibernationService;
  queue: JobQueuePort;
  locks: LockPort;
}): JobDefinition[] {
  return [scanIdleJob(deps), sleepInstanceJob(deps), wakeInstanceJob(deps)];
}

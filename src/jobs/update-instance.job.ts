import { QUEUES, type JobDefinition } from '../ports/jobs.port.js';
import { updateInstanceSchema, type UpdateInstanceData } from '../schemas/update-job.schema.js';
import type { TenantUpdateService } from '../services/tenant-update.service.js';
import { defineJob } from './define-job.js';
import type { InstanceLockWrapper } from './instance-lock.js';

/**
 * One instance's update in a rollout, under the per-instance lock. Run once: the service rolls a
 * failed update back and reports it; the admin's "Retry failed" sends a new event, rather than a
 * second update racing the tenant's restore.
 */
export function updateInstanceJob(deps: {
  updates: TenantUpdateService;
  oneJobPerInstance: InstanceLockWrapper;
}): JobDefinition {
  return defineJob<UpdateInstanceData, string>({
    name: 'update-instance',
    queue: QUEUES.instances,
    schema: updateInstanceSchema,
    attempts: 1,
    handler: deps.oneJobPerInstance((data, ctx) => deps.updates.update(data, ctx.jobId)),
  });
}

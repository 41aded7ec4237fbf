import { QUEUES, type JobDefinition } from '../ports/jobs.port.js';
import { restoreInstanceSchema, type RestoreInstanceData } from '../schemas/backup-job.schema.js';
import type { InstanceBackupService } from '../services/instance-backup.service.js';
import type { InstanceLockWrapper } from './instance-lock.js';

/**
 * Roll back to a backup. Not retried on its own: a restore half done is finished by hand from the
 * before-restore backup it took, rather than by a second restore racing the customer.
 */
export function restoreInstanceJob(deps: {
  instanceBackups: InstanceBackupService;
  oneJobPerInstance: InstanceLockWrapper;
}): JobDefinition<RestoreInstanceData, string> {
  return {
    name: 'restore-instance',
    queue: QUEUES.backups,
    schema: restoreInstanceSchema,
    attempts: 1,
    handler: deps.oneJobPerInstance((data) => deps.instanceBackups.restoreInstance(data, data.ref)),
  };
}

import { QUEUES, type JobDefinition } from '../ports/jobs.port.js';
import { backupInstanceSchema, type BackupInstanceData } from '../schemas/backup-job.schema.js';
import type { InstanceBackupService } from '../services/instance-backup.service.js';
import type { InstanceLockWrapper } from './instance-lock.js';

/** pg_dump + filestore of one instance into its restic repository, then retention. */
export function backupInstanceJob(deps: {
  instanceBackups: InstanceBackupService;
  oneJobPerInstance: InstanceLockWrapper;
}): JobDefinition<BackupInstanceData, string> {
  return {
    name: 'backup-instance',
    queue: QUEUES.backups,
    schema: backupInstanceSchema,
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 60_000 },
    handler: deps.oneJobPerInstance((data) => deps.instanceBackups.backupInstance(data, data.ref)),
    onFinalFailure: (data, err) => deps.instanceBackups.recordFailure(data, data.ref, err),
  };
}

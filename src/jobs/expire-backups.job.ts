import { QUEUES, type JobDefinition } from '../ports/jobs.port.js';
import { expireBackupsSchema, type ExpireBackupsData } from '../schemas/backup-job.schema.js';
import type { InstanceBackupService } from '../services/instance-backup.service.js';
import type { InstanceLockWrapper } from './instance-lock.js';

/**
 * A purged tenant's backups after the time the master keeps them (its sweep decides when): the
 * tenant's restic repository is removed, its saas.backup records marked expired. Removing a
 * repository already gone is a no-op, so a retry converges.
 */
export function expireBackupsJob(deps: {
  instanceBackups: InstanceBackupService;
  oneJobPerInstance: InstanceLockWrapper;
}): JobDefinition<ExpireBackupsData, string> {
  return {
    name: 'expire-backups',
    queue: QUEUES.backups,
    schema: expireBackupsSchema,
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 60_000 },
    handler: deps.oneJobPerInstance((data) => deps.instanceBackups.expireBackups(data.instanceId)),
  };
}

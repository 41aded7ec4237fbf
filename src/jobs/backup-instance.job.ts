import { z } from 'zod';
import { BACKUP_KINDS } from '../ports/backup.port.js';
import type { InstanceBackupService } from '../services/instance-backup.service.js';
import {
  BACKUP_QUEUE,
  type BackupJobDefinition,
  type InstanceLockWrapper,
} from './backup-job.types.js';

export const backupInstanceSchema = z.object({
  instanceId: z.number().int().positive(),
  kind: z.enum(BACKUP_KINDS),
  /** the pending saas.backup the master made for "Backup now" */
  backupRecordId: z.number().int().positive().optional(),
  /** the job's own id, built from the data: retries find their saas.backup record by it */
  ref: z.string().min(1).max(200),
});
export type BackupInstanceData = z.infer<typeof backupInstanceSchema>;

/** job id of a backup: per master request, or per schedule slot, so neither queues twice */
export function backupInstanceJobId(instanceId: number, cause: string): string {
  return `backup-instance-${instanceId}-${cause}`;
}

/** pg_dump + filestore of one instance into its restic repository, then retention. */
export function backupInstanceJob(deps: {
  instanceBackups: InstanceBackupService;
  oneJobPerInstance: InstanceLockWrapper;
}): BackupJobDefinition<BackupInstanceData, string> {
  return {
    name: 'backup-instance',
    queue: BACKUP_QUEUE,
    schema: backupInstanceSchema,
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 60_000 },
    handler: deps.oneJobPerInstance((data) => deps.instanceBackups.backupInstance(data, data.ref)),
    onFinalFailure: (data, err) => deps.instanceBackups.recordFailure(data, data.ref, err),
  };
}

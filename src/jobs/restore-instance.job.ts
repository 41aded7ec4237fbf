import { z } from 'zod';
import type { InstanceBackupService } from '../services/instance-backup.service.js';
import {
  BACKUP_QUEUE,
  type BackupJobDefinition,
  type InstanceLockWrapper,
} from './backup-job.types.js';

export const restoreInstanceSchema = z.object({
  instanceId: z.number().int().positive(),
  snapshotId: z.string().regex(/^[0-9a-f]{8,64}$/, 'must be a restic snapshot id'),
  requestedBy: z.string().min(1).max(128),
  ref: z.string().min(1).max(200),
});
export type RestoreInstanceData = z.infer<typeof restoreInstanceSchema>;

/**
 * Roll back to a backup. Not retried on its own: a restore half done is finished by hand from the
 * before-restore backup it took, rather than by a second restore racing the customer.
 */
export function restoreInstanceJob(deps: {
  instanceBackups: InstanceBackupService;
  oneJobPerInstance: InstanceLockWrapper;
}): BackupJobDefinition<RestoreInstanceData, string> {
  return {
    name: 'restore-instance',
    queue: BACKUP_QUEUE,
    schema: restoreInstanceSchema,
    attempts: 1,
    handler: deps.oneJobPerInstance((data) => deps.instanceBackups.restoreInstance(data, data.ref)),
  };
}

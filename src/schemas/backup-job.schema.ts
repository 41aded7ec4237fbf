import { z } from 'zod';
import { BACKUP_KINDS } from '../ports/backup.port.js';

/** Data of the jobs on the backups queue; ids only, never secrets. */
export const backupInstanceSchema = z.object({
  instanceId: z.number().int().positive(),
  kind: z.enum(BACKUP_KINDS),
  /** the pending saas.backup the master made for "Backup now" */
  backupRecordId: z.number().int().positive().optional(),
  /** the job's own id, built from the data: retries find their saas.backup record by it */
  ref: z.string().min(1).max(200),
});
export type BackupInstanceData = z.infer<typeof backupInstanceSchema>;

export const restoreInstanceSchema = z.object({
  instanceId: z.number().int().positive(),
  snapshotId: z.string().regex(/^[0-9a-f]{8,64}$/, 'must be a restic snapshot id'),
  requestedBy: z.string().min(1).max(128),
  ref: z.string().min(1).max(200),
});
export type RestoreInstanceData = z.infer<typeof restoreInstanceSchema>;

export const expireBackupsSchema = z.object({
  instanceId: z.number().int().positive(),
  eventId: z.string().min(1),
});
export type ExpireBackupsData = z.infer<typeof expireBackupsSchema>;

/** job id of a backup: per master request, or per schedule slot, so neither queues twice */
export function backupInstanceJobId(instanceId: number, cause: string): string {
  return `backup-instance-${instanceId}-${cause}`;
}

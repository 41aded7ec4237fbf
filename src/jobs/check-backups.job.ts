import { z } from 'zod';
import type { InstanceBackupService } from '../services/instance-backup.service.js';
import { BACKUP_QUEUE, type BackupJobDefinition } from './backup-job.types.js';

export const checkBackupsSchema = z.object({}).strict();

/** restic check of every repository, reading a share of the data each time (weekly). */
export function checkBackupsJob(deps: {
  instanceBackups: InstanceBackupService;
  readDataSubset: string | undefined;
}): BackupJobDefinition<Record<string, never>, string> {
  return {
    name: 'check-backups',
    queue: BACKUP_QUEUE,
    schema: checkBackupsSchema,
    attempts: 1,
    handler: () => deps.instanceBackups.checkAll(deps.readDataSubset),
  };
}

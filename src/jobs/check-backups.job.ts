import { z } from 'zod';
import { QUEUES, type JobDefinition } from '../ports/jobs.port.js';
import type { InstanceBackupService } from '../services/instance-backup.service.js';

export const checkBackupsSchema = z.object({}).strict();

/** restic check of every repository, reading a share of the data each time (weekly). */
export function checkBackupsJob(deps: {
  instanceBackups: InstanceBackupService;
  readDataSubset: string | undefined;
}): JobDefinition<Record<string, never>, string> {
  return {
    name: 'check-backups',
    queue: QUEUES.backups,
    schema: checkBackupsSchema,
    attempts: 1,
    handler: () => deps.instanceBackups.checkAll(deps.readDataSubset),
  };
}

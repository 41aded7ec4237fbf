import { z } from 'zod';
import { QUEUES, type EnqueueBackupJob, type JobDefinition } from '../ports/jobs.port.js';
import { backupInstanceJobId, type BackupInstanceData } from '../schemas/backup-job.schema.js';
import type { InstanceBackupService } from '../services/instance-backup.service.js';

export const scheduleBackupsSchema = z.object({}).strict();

/**
 * Runs every few minutes (a job scheduler): queues each instance's backup of its current slot,
 * once per slot (the slot is in the job id), spread over the plan's interval.
 */
export function scheduleBackupsJob(deps: {
  instanceBackups: InstanceBackupService;
  enqueue: EnqueueBackupJob;
}): JobDefinition<Record<string, never>, string> {
  return {
    name: 'schedule-backups',
    queue: QUEUES.backups,
    schema: scheduleBackupsSchema,
    attempts: 1,
    handler: async () => {
      const due = await deps.instanceBackups.dueScheduledBackups();
      for (const { instanceId, slotStart } of due) {
        const jobId = backupInstanceJobId(instanceId, `slot-${slotStart}`);
        const data: BackupInstanceData = { instanceId, kind: 'scheduled', ref: jobId };
        await deps.enqueue('backup-instance', data, { jobId });
      }
      return `${due.length} backups due`;
    },
  };
}

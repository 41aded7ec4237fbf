import type { BackupJobName, EnqueueBackupJob, JobDefinition } from '../ports/jobs.port.js';
import type { InstanceBackupService } from '../services/instance-backup.service.js';
import { backupInstanceJob } from './backup-instance.job.js';
import { backupMasterJob } from './backup-master.job.js';
import { checkBackupsJob } from './check-backups.job.js';
import { defineJob } from './define-job.js';
import { expireBackupsJob } from './expire-backups.job.js';
import type { InstanceLockWrapper } from './instance-lock.js';
import { restoreInstanceJob } from './restore-instance.job.js';
import { scheduleBackupsJob } from './schedule-backups.job.js';

export interface BackupJobDeps {
  instanceBackups: InstanceBackupService;
  oneJobPerInstance: InstanceLockWrapper;
  enqueue: EnqueueBackupJob;
  /** share of the packs `restic check` reads each week, e.g. 5% */
  checkReadData: string | undefined;
}

/** The backup jobs, for the job registry (one line there: ...backupJobDefinitions(deps)). */
export function backupJobDefinitions(deps: BackupJobDeps): JobDefinition[] {
  return [
    defineJob(backupInstanceJob(deps)),
    defineJob(restoreInstanceJob(deps)),
    defineJob(backupMasterJob(deps)),
    defineJob(scheduleBackupsJob(deps)),
    defineJob(checkBackupsJob({ ...deps, readDataSubset: deps.checkReadData })),
    defineJob(expireBackupsJob(deps)),
  ];
}

/** What runs on its own schedule (JobQueuePort.every), in ms. */
export function backupSchedules(config: {
  masterIntervalHours: number;
}): { name: BackupJobName; everyMs: number; data: object }[] {
  const hour = 3_600_000;
  return [
    { name: 'schedule-backups', everyMs: 10 * 60_000, data: {} },
    { name: 'backup-master', everyMs: config.masterIntervalHours * hour, data: {} },
    { name: 'check-backups', everyMs: 7 * 24 * hour, data: {} },
  ];
}

import type { InstanceBackupService } from '../services/instance-backup.service.js';
import { backupInstanceJob } from './backup-instance.job.js';
import { backupMasterJob } from './backup-master.job.js';
import type {
  BackupJobDefinition,
  BackupJobName,
  EnqueueBackupJob,
  InstanceLockWrapper,
} from './backup-job.types.js';
import { checkBackupsJob } from './check-backups.job.js';
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
export function backupJobDefinitions(deps: BackupJobDeps): BackupJobDefinition[] {
  return [
    backupInstanceJob(deps),
    restoreInstanceJob(deps),
    backupMasterJob(deps),
    scheduleBackupsJob(deps),
    checkBackupsJob({ ...deps, readDataSubset: deps.checkReadData }),
  ] as unknown as BackupJobDefinition[];
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

import {
  JOBS,
  QUEUES,
  type EnqueueOptions,
  type JobContext,
  type JobDefinition,
  type JobHandler,
} from '../ports/jobs.port.js';

/** The backup jobs' names and queue, as declared in JOBS (ports/jobs.port.ts). */
export const BACKUP_QUEUE = QUEUES.backups;
export const BACKUP_JOB_NAMES = JOBS.backups;
export type BackupJobName = (typeof BACKUP_JOB_NAMES)[number];

export type BackupJobContext = JobContext;
export type BackupJobDefinition<D = unknown, R = unknown> = JobDefinition<D, R>;

/** How the scheduling job queues backups (JobQueuePort.enqueue). */
export type EnqueueBackupJob = (
  name: BackupJobName,
  data: object,
  options: EnqueueOptions,
) => Promise<string>;

/**
 * One job per instance at a time (jobs/instance-lock.ts oneJobPerInstance): a backup and a restore,
 * or a provisioning, of the same instance never overlap.
 */
export type InstanceLockWrapper = <D extends { instanceId: number }, R>(
  handler: JobHandler<D, R>,
) => JobHandler<D, R>;

import type { ZodType } from 'zod';
import type { Logger } from '../observability/logger.js';

/**
 * The job handler contract (issue 7), as far as the backup jobs need it, written here until the
 * jobs branch's src/ports/jobs.port.ts is merged: the same shapes, so its JobDefinition accepts
 * these once their names are added to its JOBS under the `backups` queue.
 */
export const BACKUP_QUEUE = 'backups';

export const BACKUP_JOB_NAMES = [
  'backup-instance',
  'restore-instance',
  'backup-master',
  'schedule-backups',
  'check-backups',
] as const;
export type BackupJobName = (typeof BACKUP_JOB_NAMES)[number];

export interface BackupJobContext {
  jobId: string;
  /** 1-based */
  attempt: number;
  finalAttempt: boolean;
  logger: Logger;
  progress(pct: number): Promise<void>;
}

export interface BackupJobDefinition<D = unknown, R = unknown> {
  name: BackupJobName;
  queue: typeof BACKUP_QUEUE;
  schema: ZodType<D>;
  handler: (data: D, ctx: BackupJobContext) => Promise<R>;
  attempts: number;
  backoff?: { type: 'fixed' | 'exponential'; delayMs: number };
  onFinalFailure?(data: D, err: unknown): Promise<void>;
}

/** How the scheduling job queues backups (JobQueuePort.enqueue of the contract). */
export type EnqueueBackupJob = (
  name: BackupJobName,
  data: object,
  options: { jobId: string; delayMs?: number },
) => Promise<string>;

type Handler<D, R> = (data: D, ctx: BackupJobContext) => Promise<R>;

/**
 * One job per instance at a time (the jobs branch's oneJobPerInstance(locks, handler)): a backup
 * and a restore, or a provisioning, of the same instance never overlap.
 */
export type InstanceLockWrapper = <D extends { instanceId: number }, R>(
  handler: Handler<D, R>,
) => Handler<D, R>;

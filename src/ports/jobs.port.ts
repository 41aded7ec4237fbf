import type { ZodType } from 'zod';
import type { Logger } from '../observability/logger.js';

/** Every queue and every job name; the start-up self-check holds the job registry against JOBS. */
export const QUEUES = {
  instances: 'instances',
  mail: 'mail',
  maintenance: 'maintenance',
  backups: 'backups',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  instances: [
    'provision',
    'paid',
    'suspend',
    'reactivate',
    'terminate',
    'change-plan',
    'move-instance',
    'update-instance',
    'verify-domain',
    'remove-domain',
    'sleep-instance',
    'wake-instance',
  ],
  mail: [
    'welcome',
    'reminder-mail',
    'deletion-warning-mail',
    'charge-failed-mail',
    'storage-warning-mail',
    'state-mail',
    'plan-changed-mail',
  ],
  maintenance: [
    'reconcile',
    'warm-templates',
    'capacity-check',
    'schedule-usage',
    'measure-usage',
    'scan-idle',
    'replenish-spares',
    'swarm-watch',
  ],
  backups: [
    'backup-instance',
    'restore-instance',
    'backup-master',
    'schedule-backups',
    'check-backups',
    'expire-backups',
  ],
} as const satisfies Record<QueueName, readonly string[]>;
export type JobName = (typeof JOBS)[QueueName][number];
export type BackupJobName = (typeof JOBS.backups)[number];

/** What a handler knows of the job it runs; nothing of the queue library behind it. */
export interface JobContext {
  jobId: string;
  /** 1-based */
  attempt: number;
  /** true when a failure now is the last one */
  finalAttempt: boolean;
  logger: Logger;
  progress(pct: number): Promise<void>;
}

export type JobHandler<D, R = unknown> = (data: D, ctx: JobContext) => Promise<R>;

export interface JobBackoff {
  type: 'fixed' | 'exponential';
  delayMs: number;
}

/**
 * One job: its data schema (checked before the handler runs; a mismatch fails at once), its handler
 * and its retry policy. A handler throws a permanent BridgeError to fail without retrying, or a
 * BusyError to run again later without using up an attempt.
 */
export interface JobDefinition<D = unknown, R = unknown> {
  name: JobName;
  queue: QueueName;
  schema: ZodType<D>;
  handler: JobHandler<D, R>;
  /** runs in total, the first one included */
  attempts: number;
  backoff?: JobBackoff;
  /** after the last failed attempt (or a permanent error); its own failure is logged, not retried */
  onFinalFailure?(data: D, err: unknown): Promise<void>;
}

export type JobRegistry = ReadonlyMap<JobName, JobDefinition>;

export interface EnqueueOptions {
  /** built from the data, so the same request never queues twice */
  jobId: string;
  delayMs?: number;
}

/** How services and the start-up code queue work. */
export interface JobQueuePort {
  /** answers the job's id; an id already queued (or kept after finishing) adds nothing */
  enqueue(name: JobName, data: object, options: EnqueueOptions): Promise<string>;
  /** repeats `name` every `everyMs` with `data` (idempotent: one scheduler per name) */
  every(name: JobName, everyMs: number, data: object): Promise<void>;
}

/** How the backup jobs queue others (JobQueuePort.enqueue, narrowed to the backups queue). */
export type EnqueueBackupJob = (
  name: BackupJobName,
  data: object,
  options: EnqueueOptions,
) => Promise<string>;

/** Runs the registered jobs' handlers, `concurrency` jobs at a time per queue. */
export interface JobWorkersPort {
  register(registry: JobRegistry): void;
  start(concurrency: Record<QueueName, number>): void;
  close(): Promise<void>;
}

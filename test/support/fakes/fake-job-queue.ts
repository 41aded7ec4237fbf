import type {
  EnqueueOptions,
  JobName,
  JobQueuePort,
  JobRegistry,
  JobWorkersPort,
  QueueName,
} from '../../../src/ports/jobs.port.js';

export interface QueuedJob {
  name: JobName;
  data: object;
  delayMs: number | undefined;
}

/**
 * Queued jobs in memory; like BullMQ, a second add of a jobId adds nothing. Runs no
 * job: it records what it is told (`calls`) so tests can check the order of start and stop.
 */
export class FakeJobQueue implements JobQueuePort, JobWorkersPort {
  readonly calls: string[] = [];
  registry: JobRegistry | undefined;
  concurrency: Record<QueueName, number> | undefined;
  readonly jobs = new Map<string, QueuedJob>();
  readonly schedulers = new Map<JobName, { everyMs: number; data: object }>();
  adds = 0;
  /** when set, enqueueing fails with it (Redis away) */
  enqueueError: Error | undefined;

  async enqueue(name: JobName, data: object, options: EnqueueOptions): Promise<string> {
    if (this.enqueueError) throw this.enqueueError;
    this.adds += 1;
    this.calls.push(`enqueue ${name}`);
    if (!this.jobs.has(options.jobId))
      this.jobs.set(options.jobId, { name, data, delayMs: options.delayMs });
    return options.jobId;
  }

  async every(name: JobName, everyMs: number, data: object): Promise<void> {
    this.calls.push(`every ${name}`);
    this.schedulers.set(name, { everyMs, data });
  }

  register(registry: JobRegistry): void {
    this.calls.push('register');
    this.registry = registry;
  }

  start(concurrency: Record<QueueName, number>): void {
    this.calls.push('start');
    this.concurrency = concurrency;
  }

  async close(): Promise<void> {
    this.calls.push('close');
  }

  /** the data of the queued jobs called `name` */
  dataOf(name: JobName): object[] {
    return [...this.jobs.values()].filter((j) => j.name === name).map((j) => j.data);
  }
}

import type { InstanceJobData } from '../../../src/schemas/job.schema.js';
import type { IntakeQueue } from '../../../src/services/event-intake.service.js';

/** Seen keys and queued jobs in memory; like BullMQ, a second add of a jobId adds nothing. */
export class FakeIntakeQueue implements IntakeQueue {
  readonly seen = new Map<string, number>();
  readonly jobs = new Map<string, InstanceJobData>();
  adds = 0;
  /** when set, enqueueing fails with it (Redis away) */
  enqueueError: Error | undefined;

  async wasSeen(key: string): Promise<boolean> {
    return this.seen.has(key);
  }

  async markSeen(key: string, ttlSeconds: number): Promise<void> {
    this.seen.set(key, ttlSeconds);
  }

  async enqueueInstanceJob(data: InstanceJobData, jobId: string): Promise<string> {
    if (this.enqueueError) throw this.enqueueError;
    this.adds += 1;
    if (!this.jobs.has(jobId)) this.jobs.set(jobId, data);
    return jobId;
  }
}

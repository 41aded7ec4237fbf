import type { InstanceJobData } from '../../../src/schemas/job.schema.js';
import type { IntakeQueue } from '../../../src/services/event-intake.service.js';

/** Queued jobs in memory; like BullMQ, a second add of a jobId adds nothing. */
export class FakeIntakeQueue implements IntakeQueue {
  readonly jobs = new Map<string, InstanceJobData>();
  adds = 0;
  /** when set, enqueueing fails with it (Redis away) */
  enqueueError: Error | undefined;

  async enqueueInstanceJob(data: InstanceJobData, jobId: string): Promise<string> {
    if (this.enqueueError) throw this.enqueueError;
    this.adds += 1;
    if (!this.jobs.has(jobId)) this.jobs.set(jobId, data);
    return jobId;
  }
}

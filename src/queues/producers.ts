import type { JobQueueAdapter } from '../adapters/job-queue.adapter.js';
import type { InstanceJobData, MailJobData } from '../schemas/job.schema.js';
import type { IntakeQueue } from '../services/event-intake.service.js';
import { QUEUES } from './queue-names.js';

/** Typed ways to queue work; job ids are built from data so the same request never queues twice. */
export class JobProducers implements IntakeQueue {
  constructor(private readonly jobs: JobQueueAdapter) {}

  wasSeen(key: string): Promise<boolean> {
    return this.jobs.wasSeen(key);
  }

  markSeen(key: string, ttlSeconds: number): Promise<void> {
    return this.jobs.markSeen(key, ttlSeconds);
  }

  enqueueInstanceJob(data: InstanceJobData, jobId: string): Promise<string> {
    return this.jobs.add(QUEUES.instances, data.action, data, jobId);
  }

  /** one welcome per instance; the subdomain in the id keeps ids of a recreated master's instances apart */
  async enqueueWelcome(instanceId: number, subdomain: string): Promise<void> {
    const data: MailJobData = { instanceId, kind: 'welcome' };
    await this.jobs.add(QUEUES.mail, 'welcome', data, `welcome-${instanceId}-${subdomain}`, {
      attempts: 8,
    });
  }

  /** from the reconciler: one pending request per instance and minute at most */
  async requestProvision(instanceId: number): Promise<void> {
    const minute = Math.floor(Date.now() / 60_000);
    const data: InstanceJobData = {
      instanceId,
      action: 'provision',
      eventId: `reconcile-${minute}`,
      eventType: 'reconcile',
    };
    await this.jobs.add(
      QUEUES.instances,
      'provision',
      data,
      `provision-${instanceId}-reconcile-${minute}`,
    );
  }

  /** at every start: a template lock keeps concurrent builds of one template apart, not the job id */
  async warmTemplates(): Promise<void> {
    await this.jobs.add(QUEUES.maintenance, 'warm-templates', {}, `warm-templates-${Date.now()}`, {
      attempts: 3,
    });
  }

  async reconcileNow(): Promise<void> {
    await this.jobs.add(QUEUES.maintenance, 'reconcile', {}, `reconcile-start-${Date.now()}`, {
      attempts: 1,
    });
  }
}

import { z } from 'zod';
import { QUEUES, type JobQueuePort } from '../ports/jobs.port.js';
import type { ReconcileReport, ReconcileService } from '../services/reconcile.service.js';
import { defineJob } from './define-job.js';

const noData = z.object({});

/** Makes Docker match the master; not retried, as the next scheduled pass comes soon anyway. */
export function reconcileJob(deps: { reconcile: ReconcileService }) {
  return defineJob<object, ReconcileReport>({
    name: 'reconcile',
    queue: QUEUES.maintenance,
    schema: noData,
    attempts: 1,
    handler: () => deps.reconcile.reconcile(),
  });
}

export function scheduleReconcile(queue: JobQueuePort, intervalSeconds: number): Promise<void> {
  return queue.every('reconcile', intervalSeconds * 1000, {});
}

/** at start, without waiting for the first scheduled pass */
export async function reconcileNow(queue: JobQueuePort, now = Date.now()): Promise<void> {
  await queue.enqueue('reconcile', {}, { jobId: `reconcile-start-${now}` });
}

/**
 * The bench measures a shop whose templates are built: at every start the bridge builds each plan's
 * template in the background (src/jobs/warm-templates.job.ts), and a build (`-i` of the plan's
 * apps, 30-90 s of one core) running beside the measured orders would be measured with them (seen: a
 * burst of 20 took 116.9 s while the Enterprise and Pro templates were built, 61.5 s after).
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX } from '../../src/adapters/job-queue.adapter.js';
import { QUEUES } from '../../src/ports/jobs.port.js';
import { waitFor } from '../e2e/support/orders.js';

const PENDING = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/** waits until no warm-templates job of the bridge on this Redis is pending; answers the seconds */
export async function untilTemplatesWarm(redisUrl: string, timeoutMs: number): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUES.maintenance, { connection, prefix: QUEUE_PREFIX });
  const t0 = Date.now();
  try {
    await waitFor('every plan template built (warm-templates)', timeoutMs, async () => {
      const jobs = await queue.getJobs([...PENDING]);
      return jobs.some((job) => job.name === 'warm-templates') ? undefined : true;
    });
    return (Date.now() - t0) / 1000;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

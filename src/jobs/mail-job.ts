import type { ZodType } from 'zod';
import { QUEUES, type JobName } from '../ports/jobs.port.js';
import { defineJob } from './define-job.js';

/**
 * What the mail jobs share: their queue and retry policy. An SMTP failure is retried with backoff
 * (8 runs over about 4 minutes); a permanent problem (no address, no instance) fails at once. A
 * mail job never changes an instance, so its failure blocks or reverts nothing.
 */
export function mailJob<D>(name: JobName, schema: ZodType<D>, send: (data: D) => Promise<string>) {
  return defineJob<D, { messageId: string }>({
    name,
    queue: QUEUES.mail,
    schema,
    attempts: 8,
    backoff: { type: 'exponential', delayMs: 2_000 },
    handler: async (data) => ({ messageId: await send(data) }),
  });
}

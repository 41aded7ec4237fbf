import { QUEUES, type JobQueuePort } from '../ports/jobs.port.js';
import { mailJobSchema, type MailJobData } from '../schemas/job.schema.js';
import type { MailService } from '../services/mail.service.js';
import { defineJob } from './define-job.js';

/** The welcome mail; retried with backoff, while a permanent problem (no address) fails at once. */
export function welcomeJob(deps: { mail: MailService }) {
  return defineJob<MailJobData, { messageId: string }>({
    name: 'welcome',
    queue: QUEUES.mail,
    schema: mailJobSchema,
    attempts: 8,
    backoff: { type: 'exponential', delayMs: 2_000 },
    handler: async ({ instanceId }) => ({ messageId: await deps.mail.sendWelcome(instanceId) }),
  });
}

/** One welcome per instance; the subdomain in the id keeps ids of a recreated master's instances apart. */
export async function enqueueWelcome(
  queue: JobQueuePort,
  instanceId: number,
  subdomain: string,
): Promise<void> {
  const data: MailJobData = { instanceId, kind: 'welcome' };
  await queue.enqueue('welcome', data, { jobId: `welcome-${instanceId}-${subdomain}` });
}

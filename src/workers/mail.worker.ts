import { UnrecoverableError, type Job } from '../adapters/job-queue.adapter.js';
import { BridgeError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import { mailJobSchema } from '../schemas/job.schema.js';
import type { MailService } from '../services/mail.service.js';

/** Mails are retried with backoff by the queue; a permanent problem (no address) fails at once. */
export function mailProcessor(deps: { mail: MailService; metrics: Metrics }) {
  return async (job: Job): Promise<unknown> => {
    const parsed = mailJobSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`malformed job data: ${parsed.error.issues[0]?.message}`);
    try {
      const messageId = await deps.mail.sendWelcome(parsed.data.instanceId);
      deps.metrics.jobs.inc({ name: `mail-${parsed.data.kind}`, outcome: 'completed' });
      return { messageId };
    } catch (err) {
      const permanent = err instanceof BridgeError && err.permanent;
      const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      deps.metrics.jobs.inc({
        name: `mail-${parsed.data.kind}`,
        outcome: final ? 'failed' : 'retried',
      });
      if (permanent) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}

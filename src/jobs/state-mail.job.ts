import type { JobQueuePort } from '../ports/jobs.port.js';
import { stateMailSchema, type StateMailData } from '../schemas/job.schema.js';
import type { MailService } from '../services/mail.service.js';
import { mailJob } from './mail-job.js';

/** Suspended, back, renewed, deleted: queued by the lifecycle service once the state is written. */
export function stateMailJob(deps: { mail: MailService }) {
  return mailJob('state-mail', stateMailSchema, (data) => deps.mail.sendStateMail(data));
}

/** One mail per instance, kind and event: the instance job that runs again queues nothing twice. */
export async function enqueueStateMail(
  queue: JobQueuePort,
  data: StateMailData,
  eventId: string,
): Promise<void> {
  await queue.enqueue('state-mail', data, {
    jobId: `state-mail-${data.kind}-${data.instanceId}-${eventId}`,
  });
}

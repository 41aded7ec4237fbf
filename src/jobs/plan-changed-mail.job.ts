import type { JobQueuePort } from '../ports/jobs.port.js';
import { planChangedMailSchema, type PlanChangedMailData } from '../schemas/job.schema.js';
import type { MailService } from '../services/mail.service.js';
import { mailJob } from './mail-job.js';

/** "Your plan is now X", once the bridge applied it; not sent when the plan changed again since. */
export function planChangedMailJob(deps: { mail: MailService }) {
  return mailJob('plan-changed-mail', planChangedMailSchema, (data) =>
    deps.mail.sendPlanChanged(data),
  );
}

export async function enqueuePlanChangedMail(
  queue: JobQueuePort,
  data: PlanChangedMailData,
): Promise<void> {
  await queue.enqueue('plan-changed-mail', data, {
    jobId: `plan-changed-mail-${data.instanceId}-${data.eventId}`,
  });
}

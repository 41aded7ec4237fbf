import { chargeFailedMailSchema } from '../schemas/job.schema.js';
import type { MailService } from '../services/mail.service.js';
import { mailJob } from './mail-job.js';

/** `instance.charge_failed`: which automatic charge failed, what is left, what the customer can do. */
export function chargeFailedMailJob(deps: { mail: MailService }) {
  return mailJob('charge-failed-mail', chargeFailedMailSchema, (data) =>
    deps.mail.sendChargeFailed(data),
  );
}

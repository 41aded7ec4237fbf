import { reminderMailSchema } from '../schemas/job.schema.js';
import type { MailService } from '../services/mail.service.js';
import { mailJob } from './mail-job.js';

/** `instance.reminder`: the subscription ends in n days, with the renewal invoice's pay link. */
export function reminderMailJob(deps: { mail: MailService }) {
  return mailJob('reminder-mail', reminderMailSchema, (data) => deps.mail.sendReminder(data));
}

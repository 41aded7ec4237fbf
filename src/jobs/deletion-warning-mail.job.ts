import { deletionWarningMailSchema } from '../schemas/job.schema.js';
import type { MailService } from '../services/mail.service.js';
import { mailJob } from './mail-job.js';

/** `instance.deletion_warning`: the date the suspended instance will be deleted, and the pay link. */
export function deletionWarningMailJob(deps: { mail: MailService }) {
  return mailJob('deletion-warning-mail', deletionWarningMailSchema, (data) =>
    deps.mail.sendDeletionWarning(data),
  );
}

import { storageWarningMailSchema } from '../schemas/job.schema.js';
import type { MailService } from '../services/mail.service.js';
import { mailJob } from './mail-job.js';

/** `instance.storage_warning`: the tenant's storage passed 80 % of its plan's quota. */
export function storageWarningMailJob(deps: { mail: MailService }) {
  return mailJob('storage-warning-mail', storageWarningMailSchema, (data) =>
    deps.mail.sendStorageWarning(data),
  );
}

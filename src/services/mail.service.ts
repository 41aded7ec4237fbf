import { BridgeError } from '../errors.js';
import type { MailPort } from '../ports/mail.port.js';
import type { OdooPort } from '../ports/odoo.port.js';
import { escapeHtml } from './secrets.js';
import { welcomeMail } from './mail-templates.js';

export interface MailServiceDeps {
  odoo: OdooPort;
  mailer: MailPort;
  /** the customer's instance page in the master portal */
  portalUrl(instanceId: number): string;
}

/** Customer mails; each one sent is also logged on the instance in the master (never the password). */
export class MailService {
  constructor(private readonly deps: MailServiceDeps) {}

  async sendWelcome(instanceId: number): Promise<string> {
    const instance = await this.deps.odoo.getInstance(instanceId);
    if (!instance)
      throw new BridgeError('instance_not_found', `instance ${instanceId} does not exist`, true);
    if (!instance.partnerEmail)
      throw new BridgeError('mail_failed', `instance ${instanceId}'s customer has no email`, true);
    if (!instance.url)
      throw new BridgeError('mail_failed', `instance ${instanceId} has no URL yet`);
    const message = welcomeMail({
      to: instance.partnerEmail,
      customerName: instance.partnerName,
      url: instance.url,
      login: instance.adminLogin ?? instance.partnerEmail,
      password: instance.initialPassword,
      portalUrl: this.deps.portalUrl(instanceId),
      lang: instance.lang,
    });
    const { messageId } = await this.deps.mailer.send(message);
    await this.deps.odoo.postNote(
      instanceId,
      `Mail sent to ${escapeHtml(message.to)}: "${escapeHtml(message.subject)}" (login ${escapeHtml(
        instance.adminLogin ?? message.to,
      )}, URL ${escapeHtml(instance.url)}).`,
    );
    return messageId;
  }
}

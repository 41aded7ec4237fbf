import nodemailer, { type Transporter } from 'nodemailer';
import { BridgeError } from '../errors.js';
import type { MailMessage, MailPort } from '../ports/mail.port.js';

/** The only code that talks to SMTP. Retries belong to the mail queue, not here. */
export class MailerAdapter implements MailPort {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    const url = new URL(smtpUrl);
    url.searchParams.set('connectionTimeout', '10000');
    url.searchParams.set('greetingTimeout', '10000');
    url.searchParams.set('socketTimeout', '20000');
    this.transport = nodemailer.createTransport(url.toString());
  }

  async send(message: MailMessage): Promise<{ messageId: string }> {
    try {
      const info = await this.transport.sendMail({ from: this.from, ...message });
      return { messageId: String(info.messageId) };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new BridgeError(
        'mail_failed',
        `sending "${message.subject}" to ${message.to} failed: ${why}`,
        false,
        {
          cause: err,
        },
      );
    }
  }

  close(): void {
    this.transport.close();
  }
}

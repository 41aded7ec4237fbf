import type { MailMessage, MailPort } from '../../../src/ports/mail.port.js';

/** An outbox in memory. */
export class FakeMail implements MailPort {
  readonly sent: MailMessage[] = [];

  async send(message: MailMessage): Promise<{ messageId: string }> {
    this.sent.push(message);
    return { messageId: `<fake-${this.sent.length}@test>` };
  }
}

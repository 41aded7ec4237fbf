import type { MailMessage, MailPort } from '../../../src/ports/mail.port.js';

/** An outbox in memory; `failWith` makes every send fail like an SMTP server that refuses. */
export class FakeMail implements MailPort {
  readonly sent: MailMessage[] = [];
  failWith: Error | undefined;

  async send(message: MailMessage): Promise<{ messageId: string }> {
    if (this.failWith) throw this.failWith;
    this.sent.push(message);
    return { messageId: `<fake-${this.sent.length}@test>` };
  }
}

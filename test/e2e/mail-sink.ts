/** A real SMTP server on loopback keeping every mail in memory, so the test reads what a customer receives. */
import { SMTPServer } from 'smtp-server';
import { parseMail, type ParsedMail } from './mime.js';

export interface ReceivedMail extends ParsedMail {
  receivedAt: number;
  envelopeTo: string[];
  raw: string;
}

export class MailSink {
  readonly messages: ReceivedMail[] = [];
  private readonly server: SMTPServer;
  private waiters: (() => void)[] = [];

  constructor(readonly port: number) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', done);
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.messages.push({
            ...parseMail(raw),
            raw,
            receivedAt: Date.now(),
            envelopeTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          });
          for (const wake of this.waiters.splice(0)) wake();
          done();
        });
      },
    });
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) =>
        reject(new Error(`mail sink cannot listen on 127.0.0.1:${this.port}: ${err.message}`));
      this.server.once('error', onError);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => console.error(`  [mail sink] ${err.message}`));
        resolve();
      });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** the first mail (already received or to come) matching `match`, or an error after `timeoutMs` */
  async waitFor(
    match: (mail: ReceivedMail) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen =
          this.messages.map((m) => `"${m.subject}" to ${m.envelopeTo.join(',')}`).join('; ') ||
          'none';
        throw new Error(`no ${what} within ${timeoutMs / 1000} s (mails received: ${seen})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

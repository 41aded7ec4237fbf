import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** the raw message: headers and MIME body */
  raw: string;
}

/**
 * A real SMTP server on a free port that keeps what it receives; on loopback unless `host` says
 * otherwise (the tenant network's gateway, for mail sent from inside tenant containers).
 */
export async function startSmtpSink(host = '127.0.0.1'): Promise<{
  url: string;
  received: ReceivedMail[];
  stop(): Promise<void>;
}> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        received.push({
          from: from ? from.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${host}:${port}`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** the value of a header in a raw message (first occurrence, unfolded) */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return match?.[1]?.replace(/\r?\n[ \t]+/g, ' ');
}

/** a raw message with quoted-printable parts decoded (good enough to look for text in it) */
export function decoded(raw: string): string {
  const unfolded = raw.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < unfolded.length; i += 1) {
    const hex = unfolded.slice(i + 1, i + 3);
    if (unfolded[i] === '=' && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(unfolded[i] ?? ''));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export interface MailAttachment {
  filename: string | undefined;
  contentType: string;
  content: Buffer;
}

/**
 * The base64 parts of a raw MIME message that are attachments (a Content-Disposition of
 * attachment, or a file name), nested multiparts included: every boundary line ends a part.
 */
export function attachments(raw: string): MailAttachment[] {
  const boundaries = [...raw.matchAll(/boundary="?([^";\r\n]+)"?/gi)].map((m) => m[1]!);
  if (boundaries.length === 0) return [];
  const escaped = boundaries.map((b) => b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const parts = raw.split(new RegExp(`^--(?:${escaped.join('|')})(?:--)?[ \\t]*\\r?$`, 'm'));
  const found: MailAttachment[] = [];
  for (const part of parts) {
    const [head = '', ...body] = part.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
    const filename = /filename\*?="?([^";\r\n]+)"?/i.exec(head)?.[1];
    const attached = /^Content-Disposition:[ \t]*attachment/im.test(head) || filename;
    if (!attached || !/^Content-Transfer-Encoding:[ \t]*base64/im.test(head)) continue;
    found.push({
      filename,
      contentType: /^Content-Type:[ \t]*([^;\r\n]+)/im.exec(head)?.[1]?.trim() ?? '',
      content: Buffer.from(body.join('\n').replace(/\s+/g, ''), 'base64'),
    });
  }
  return found;
}

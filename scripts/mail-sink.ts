/**
 * A development SMTP server: accepts every mail on loopback and keeps it as a .eml file, so the stack
 * works offline and the welcome mail can be read. Usage: tsx scripts/mail-sink.ts --port 1025 --dir DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '1025' },
    dir: { type: 'string', default: '.stack/mail' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: tsx scripts/mail-sink.ts [--port 1025] [--dir .stack/mail]');
  process.exit(0);
}
const dir = path.resolve(values.dir);
mkdirSync(dir, { recursive: true });
let count = 0;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, session, done) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      count += 1;
      const to = session.envelope.rcptTo.map((r) => r.address).join(',');
      const file = path.join(dir, `${Date.now()}-${count}.eml`);
      writeFileSync(file, Buffer.concat(chunks));
      console.log(JSON.stringify({ time: new Date().toISOString(), to, file }));
      done();
    });
  },
});
server.listen(Number(values.port), '127.0.0.1', () =>
  console.log(`mail sink on 127.0.0.1:${values.port}, mails in ${dir}`),
);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => server.close(() => process.exit(0)));

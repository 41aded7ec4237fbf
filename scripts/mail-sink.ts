/**
 * A development SMTP server: accepts every mail on loopback (and on the addresses --host adds: the
 * tenant network's gateway, where tenants send their own mail) and keeps it as a .eml file, so the
 * stack works offline and the welcome mail and the tenants' mails can be read.
 * Usage: tsx scripts/mail-sink.ts --port 1025 --dir DIR [--host 127.0.0.1,172.30.0.1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '1025' },
    dir: { type: 'string', default: '.stack/mail' },
    host: { type: 'string', default: '127.0.0.1' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: tsx scripts/mail-sink.ts [--port 1025] [--dir .stack/mail] [--host 127.0.0.1,<gateway>]',
  );
  process.exit(0);
}
const dir = path.resolve(values.dir);
mkdirSync(dir, { recursive: true });
let count = 0;

const sink = () =>
  new SMTPServer({
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
// one server per address (never 0.0.0.0: the sink takes mail from loopback and tenants only)
const servers = values.host.split(',').map((host) => {
  const one = sink();
  // a gateway not there (no tenant network yet) costs the tenants' mail, not the stack's own
  one.on('error', (err) => console.error(`mail sink on ${host}: ${err.message}`));
  one.listen(Number(values.port), host, () =>
    console.log(`mail sink on ${host}:${values.port}, mails in ${dir}`),
  );
  return one;
});
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => {
    for (const one of servers) one.close(() => undefined);
    setTimeout(() => process.exit(0), 200);
  });

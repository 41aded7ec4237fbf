import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailerAdapter } from '../../src/adapters/mailer.adapter.js';
import { MailService } from '../../src/services/mail.service.js';
import { FakeOdoo } from '../support/fakes/fake-odoo.js';
import { freePort } from '../support/integration/net.js';
import { decoded, header, startSmtpSink } from '../support/integration/smtp-sink.js';
import { draftInstance } from '../support/world.js';

let sink: Awaited<ReturnType<typeof startSmtpSink>>;
const mailers: MailerAdapter[] = [];

function mailer(url: string): MailerAdapter {
  const adapter = new MailerAdapter(url, 'Odoo SaaS <no-reply@saas.example.com>');
  mailers.push(adapter);
  return adapter;
}

// smtp-server is a dependency of the tests: this suite has nothing to skip for
describe('MailerAdapter against a real SMTP server', () => {
  beforeAll(async () => {
    sink = await startSmtpSink();
  });

  afterAll(async () => {
    for (const m of mailers) m.close();
    await sink?.stop();
  });

  it('delivers a message with its subject, recipient, text and HTML', async () => {
    const { messageId } = await mailer(sink.url).send({
      to: 'ana@example.com',
      subject: 'Your Odoo is ready',
      text: 'Address: https://acme.saas.example.com',
      html: '<p><a href="https://acme.saas.example.com">https://acme.saas.example.com</a></p>',
    });
    expect(messageId).toMatch(/^<.+@.+>$/);
    const mail = sink.received.at(-1);
    expect(mail?.from).toBe('no-reply@saas.example.com');
    expect(mail?.to).toEqual(['ana@example.com']);
    expect(header(mail?.raw ?? '', 'Subject')).toBe('Your Odoo is ready');
    expect(header(mail?.raw ?? '', 'To')).toBe('ana@example.com');
    expect(header(mail?.raw ?? '', 'From')).toBe('Odoo SaaS <no-reply@saas.example.com>');
    expect(header(mail?.raw ?? '', 'Message-ID')).toBe(messageId);
    expect(header(mail?.raw ?? '', 'Content-Type')).toMatch(/^multipart\/alternative/);
    const body = decoded(mail?.raw ?? '');
    expect(body).toContain('Address: https://acme.saas.example.com');
    expect(body).toContain('<a href="https://acme.saas.example.com">');
  });

  it('sends the welcome mail of an instance and notes it in Odoo without the password', async () => {
    const odoo = new FakeOdoo();
    odoo.addInstance(
      draftInstance({
        state: 'running',
        lang: 'en_US',
        url: 'https://acme.saas.example.com',
        adminLogin: 'ana@example.com',
        initialPassword: 'Xk7pQ2mN9rT4vW8yZ3aB',
      }),
    );
    const service = new MailService({
      odoo,
      mailer: mailer(sink.url),
      portalUrl: (id) => `https://master.example.com/my/instances/${id}`,
      baseDomain: 'saas.example.com',
    });
    const before = sink.received.length;
    const messageId = await service.sendWelcome(1);
    expect(sink.received).toHaveLength(before + 1);
    const mail = sink.received.at(-1);
    expect(header(mail?.raw ?? '', 'Message-ID')).toBe(messageId);
    expect(header(mail?.raw ?? '', 'Subject')).toBe('Your Odoo is ready');
    expect(decoded(mail?.raw ?? '')).toContain('Temporary password: Xk7pQ2mN9rT4vW8yZ3aB');
    expect(decoded(mail?.raw ?? '')).toContain('<code>Xk7pQ2mN9rT4vW8yZ3aB</code>');
    expect(decoded(mail?.raw ?? '')).toContain('https://master.example.com/my/instances/1');
    expect(odoo.notes).toHaveLength(1);
    expect(odoo.notes[0]?.body).toContain('Mail sent to ana@example.com: "Your Odoo is ready"');
    expect(odoo.notes[0]?.body).not.toContain('Xk7pQ2mN9rT4vW8yZ3aB');
  });

  it('reports an unreachable SMTP server as mail_failed (retried by the queue)', async () => {
    const down = mailer(`smtp://127.0.0.1:${await freePort()}`);
    const message = { to: 'ana@example.com', subject: 'Hello', text: 'x', html: '<p>x</p>' };
    await expect(down.send(message)).rejects.toMatchObject({
      name: 'BridgeError',
      code: 'mail_failed',
      permanent: false,
    });
    await expect(down.send(message)).rejects.toThrow(
      /^sending "Hello" to ana@example.com failed: /,
    );
  });
});

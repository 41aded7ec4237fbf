import { describe, expect, it } from 'vitest';
import { MailService } from '../../../src/services/mail.service.js';
import { FakeMail } from '../../support/fakes/fake-mail.js';
import { FakeOdoo, type FakeInstance } from '../../support/fakes/fake-odoo.js';
import { draftInstance } from '../../support/world.js';

function setup(overrides: Partial<FakeInstance> = {}) {
  const odoo = new FakeOdoo();
  const mailer = new FakeMail();
  odoo.addInstance(
    draftInstance({
      state: 'running',
      url: 'https://acme.saas.example.com',
      adminLogin: 'ana@example.com',
      initialPassword: 'Xk7pQ2mN9rT4vW8yZ3aB',
      ...overrides,
    }),
  );
  const service = new MailService({
    odoo,
    mailer,
    portalUrl: (id) => `https://master.example.com/my/instances/${id}`,
    baseDomain: 'saas.example.com',
  });
  return { odoo, mailer, service };
}

describe('MailService.sendWelcome', () => {
  it("sends the welcome in the customer's language and notes it without the password", async () => {
    const { odoo, mailer, service } = setup({ partnerName: 'Ana <b>', lang: 'es_ES' });
    expect(await service.sendWelcome(1)).toBe('<fake-1@test>');
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({ to: 'ana@example.com', subject: 'Su Odoo está listo' });
    expect(mailer.sent[0]?.text).toContain('Contraseña temporal: Xk7pQ2mN9rT4vW8yZ3aB');
    expect(mailer.sent[0]?.text).toContain('https://master.example.com/my/instances/1');
    expect(odoo.notes).toEqual([
      {
        id: 1,
        body:
          'Mail sent to ana@example.com: "Su Odoo está listo" ' +
          '(login ana@example.com, URL https://acme.saas.example.com).',
      },
    ]);
  });

  it('leaves the password out once the customer saw it in the portal', async () => {
    const { mailer, service } = setup({ initialPassword: undefined });
    await service.sendWelcome(1);
    expect(mailer.sent[0]?.text).not.toMatch(/Temporary password|Contraseña temporal/);
  });

  it('uses the email as login when none was recorded', async () => {
    const { mailer, service } = setup({ adminLogin: undefined, lang: 'en_US' });
    await service.sendWelcome(1);
    expect(mailer.sent[0]?.text).toContain('Login: ana@example.com');
  });

  it('fails permanently without a customer email or instance', async () => {
    await expect(setup({ partnerEmail: undefined }).service.sendWelcome(1)).rejects.toMatchObject({
      code: 'mail_failed',
      permanent: true,
    });
    await expect(setup().service.sendWelcome(2)).rejects.toMatchObject({
      code: 'instance_not_found',
      permanent: true,
    });
  });

  it('fails transiently (retried) while the instance has no URL yet', async () => {
    const { mailer, service } = setup({ url: undefined });
    await expect(service.sendWelcome(1)).rejects.toMatchObject({
      code: 'mail_failed',
      permanent: false,
    });
    expect(mailer.sent).toEqual([]);
  });
});

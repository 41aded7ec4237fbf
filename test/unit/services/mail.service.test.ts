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
  // the master's answer for the open renewal invoice 31 of instance 1
  odoo.payUrls.set('1:31', 'https://master.example.com/my/invoices/31?access_token=t');
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

describe('MailService subscription mails', () => {
  const PAY = 'https://master.example.com/my/invoices/31?access_token=t';

  it('sends the reminder with the real days and notes it on the instance', async () => {
    const { odoo, mailer, service } = setup({ lang: 'en_US' });
    await service.sendReminder({
      instanceId: 1,
      eventId: 'e1',
      facts: {
        invoice_id: 31,
        invoice_name: 'INV/2026/0031',
        amount: 29.9,
        currency: 'EUR',
        due_date: '2026-12-29',
        days_left: 5,
        trial: false,
      },
    });
    expect(mailer.sent[0]?.subject).toBe('Your subscription ends in 5 days');
    expect(mailer.sent[0]?.text).toContain(PAY);
    expect(odoo.notes.at(-1)?.body).toBe(
      'Mail sent to ana@example.com: "Your subscription ends in 5 days".',
    );
  });

  it('reads the pay link from the master when it sends, the portal page once it is paid', async () => {
    const { odoo, mailer, service } = setup({ state: 'suspended', lang: 'en_US' });
    const facts = { deletion_date: '2027-02-07', suspended_on: '2027-01-08', invoice_id: 31 };
    await service.sendDeletionWarning({ instanceId: 1, eventId: 'e2', facts });
    expect(mailer.sent[0]?.text).toContain(`Pay now: ${PAY}`);
    odoo.payUrls.clear(); // paid meanwhile: the master no longer hands out the invoice's link
    await service.sendDeletionWarning({ instanceId: 1, eventId: 'e2', facts });
    expect(mailer.sent[1]?.text).toContain('Pay now: https://master.example.com/my/instances/1');
    expect(mailer.sent[1]?.text).not.toContain('access_token');
  });

  it('falls back to the portal page when a deletion warning names no open invoice', async () => {
    const { mailer, service } = setup({ state: 'suspended' });
    await service.sendDeletionWarning({
      instanceId: 1,
      eventId: 'e2',
      facts: { deletion_date: '2027-02-07', suspended_on: '2027-01-08' },
    });
    expect(mailer.sent[0]?.subject).toBe('Su instancia se eliminará el 2027-02-07');
    expect(mailer.sent[0]?.text).toContain('https://master.example.com/my/instances/1');
  });

  it('sends the charge failure with the attempt', async () => {
    const { mailer, service } = setup({ lang: 'en_US' });
    await service.sendChargeFailed({
      instanceId: 1,
      eventId: 'e3',
      facts: {
        invoice_id: 31,
        invoice_name: 'INV/2026/0031',
        amount: 29.9,
        currency: 'EUR',
        attempt: 2,
        attempts_left: 1,
        error: 'Card declined',
        due_date: '2026-12-31',
      },
    });
    expect(mailer.sent[0]?.text).toContain('automatic payment 2 of the renewal');
  });

  it('warns at 80 % of the storage, with what is used and where to change plan', async () => {
    const { mailer, service } = setup({ lang: 'es_ES' });
    await service.sendStorageWarning({
      instanceId: 1,
      eventId: 'e4',
      facts: { used_mb: 1740.8, quota_mb: 2048, pct: 85 },
    });
    expect(mailer.sent[0]?.subject).toBe('Su Odoo usa el 85 % de su almacenamiento');
    expect(mailer.sent[0]?.text).toContain('ocupa 1.7 GB de los 2 GB que incluye su plan (85 %)');
    expect(mailer.sent[0]?.text).toMatch(/Cambiar de plan: https:\/\/\S+\/my\/instances\/1/);
  });

  it('sends the renewal with the next payment date the master holds', async () => {
    const { mailer, service } = setup({ lang: 'en_US', expirationDate: '2027-01-31' });
    await service.sendStateMail({ instanceId: 1, kind: 'renewed' });
    expect(mailer.sent[0]?.subject).toBe('Subscription renewed, next payment on 2027-01-31');
  });

  it('does not send a state mail once the instance has left that state', async () => {
    const { mailer, service } = setup({ state: 'running' });
    expect(await service.sendStateMail({ instanceId: 1, kind: 'suspended', invoiceId: 31 })).toBe(
      'skipped',
    );
    expect(mailer.sent).toEqual([]);
  });

  it('sends "suspended" with the pay link, and "deleted" after a purge', async () => {
    const suspended = setup({ state: 'suspended', lang: 'en_US' });
    await suspended.service.sendStateMail({ instanceId: 1, kind: 'suspended', invoiceId: 31 });
    expect(suspended.mailer.sent[0]?.text).toContain(`Renew and pay: ${PAY}`);
    const deleted = setup({ state: 'terminated', lang: 'en_US' });
    await deleted.service.sendStateMail({ instanceId: 1, kind: 'deleted' });
    expect(deleted.mailer.sent[0]?.subject).toBe('Your instance was deleted');
  });

  it('lets an SMTP failure through, for the queue to retry', async () => {
    const { mailer, service } = setup({ state: 'suspended' });
    mailer.failWith = new Error('421 try later');
    await expect(
      service.sendStateMail({ instanceId: 1, kind: 'suspended', invoiceId: 31 }),
    ).rejects.toThrow('421 try later');
  });
});

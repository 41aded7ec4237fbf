import { describe, expect, it } from 'vitest';
import { noticeMail, type Notice } from '../../../src/services/lifecycle-mail-templates.js';

const BASE = { to: 'ana@example.com', customerName: 'Ana', host: 'acme.saas.example.com' };
const PAY = 'https://master.example.com/my/invoices/31?access_token=t&x=1';

const NOTICES: Notice[] = [
  {
    kind: 'reminder',
    daysLeft: 7,
    dueDate: '2026-12-31',
    amount: 29.9,
    currency: 'EUR',
    invoiceName: 'INV/2026/0031',
    trial: false,
    payUrl: PAY,
  },
  { kind: 'suspended', payUrl: PAY },
  { kind: 'reactivated', url: 'https://acme.saas.example.com' },
  { kind: 'renewed', nextPaymentDate: '2027-01-31', url: 'https://acme.saas.example.com' },
  { kind: 'deletion-warning', deletionDate: '2027-02-07', payUrl: PAY },
  { kind: 'deleted', portalUrl: 'https://master.example.com/my/instances/1' },
  {
    kind: 'charge-failed',
    attempt: 1,
    attemptsLeft: 2,
    error: 'Card declined',
    dueDate: '2026-12-31',
    payUrl: PAY,
  },
  {
    kind: 'plan-changed',
    planName: 'Pro',
    maxUsers: 10,
    storageMb: 51200,
    url: 'https://acme.saas.example.com',
  },
  {
    kind: 'storage-warning',
    usedMb: 1700,
    quotaMb: 2048,
    pct: 83.4,
    upgradeUrl: 'https://master.example.com/my/instances/1',
  },
];

describe('subscription mails', () => {
  it.each([
    ['reminder', 'Your subscription ends in 7 days', 'Su suscripción termina en 7 días'],
    ['suspended', 'Your service has been suspended', 'Su servicio ha sido suspendido'],
    ['reactivated', 'Your service is back', 'Su servicio vuelve a estar activo'],
    [
      'renewed',
      'Subscription renewed, next payment on 2027-01-31',
      'Suscripción renovada, próximo pago el 2027-01-31',
    ],
    [
      'deletion-warning',
      'Your instance will be deleted on 2027-02-07',
      'Su instancia se eliminará el 2027-02-07',
    ],
    ['deleted', 'Your instance was deleted', 'Su instancia ha sido eliminada'],
    ['charge-failed', 'Your automatic payment failed', 'Su pago automático ha fallado'],
    ['plan-changed', 'Your plan is now Pro', 'Su plan ahora es Pro'],
    [
      'storage-warning',
      'Your Odoo uses 83 % of its storage',
      'Su Odoo usa el 83 % de su almacenamiento',
    ],
  ] as const)('%s: English, and Spanish for a Spanish customer', (kind, en, es) => {
    const notice = NOTICES.find((n) => n.kind === kind);
    if (!notice) throw new Error(kind);
    expect(noticeMail({ ...BASE, lang: 'en_US' }, notice).subject).toBe(en);
    expect(noticeMail({ ...BASE, lang: undefined }, notice).subject).toBe(en);
    expect(noticeMail({ ...BASE, lang: 'es_ES' }, notice).subject).toBe(es);
  });

  it('puts the pay link, the days and the amount into the reminder', () => {
    const mail = noticeMail({ ...BASE, lang: 'en_US' }, NOTICES[0] as Notice);
    expect(mail.text).toContain(`Pay now: ${PAY}`);
    expect(mail.text).toContain('ends in 7 days, on 2026-12-31');
    expect(mail.text).toContain('INV/2026/0031 (29.90 EUR)');
    expect(mail.html).toContain(
      'href="https://master.example.com/my/invoices/31?access_token=t&#38;x=1"',
    );
  });

  it('says "in 1 day", "today" and "trial" when they apply', () => {
    const reminder = NOTICES[0] as Extract<Notice, { kind: 'reminder' }>;
    const en = (n: Notice) => noticeMail({ ...BASE, lang: 'en' }, n).subject;
    expect(en({ ...reminder, daysLeft: 1 })).toBe('Your subscription ends in 1 day');
    expect(en({ ...reminder, daysLeft: 0, trial: true })).toBe('Your trial ends today');
  });

  it('tells how to get the final backup once deleted', () => {
    const mail = noticeMail({ ...BASE, lang: 'es_ES' }, NOTICES[5] as Notice);
    expect(mail.text).toContain('copia de seguridad final');
    expect(mail.text).toContain('https://master.example.com/my/instances/1');
  });

  it('says whether a failed charge is tried again', () => {
    const failed = NOTICES[6] as Extract<Notice, { kind: 'charge-failed' }>;
    const text = (n: Notice) => noticeMail({ ...BASE, lang: 'en' }, n).text;
    expect(text(failed)).toContain('failed: Card declined');
    expect(text(failed)).toContain('We will try again (2 more times) before 2026-12-31');
    expect(text({ ...failed, attempt: 3, attemptsLeft: 0 })).toContain('We will not try again');
  });

  it("names the new plan's limits", () => {
    const changed = NOTICES[7] as Notice;
    expect(noticeMail({ ...BASE, lang: 'en' }, changed).text).toContain(
      'up to 10 users and 50 GB of storage',
    );
    expect(noticeMail({ ...BASE, lang: 'es_ES' }, changed).text).toContain(
      'hasta 10 usuarios y 50 GB de almacenamiento',
    );
  });

  it('escapes what it puts in HTML', () => {
    const mail = noticeMail(
      { ...BASE, customerName: '<script>x</script>', lang: 'en' },
      { ...(NOTICES[6] as Extract<Notice, { kind: 'charge-failed' }>), error: '<b>no</b>' },
    );
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>no</b>');
    expect(mail.html).toContain('&#60;b&#62;no&#60;/b&#62;');
  });
});

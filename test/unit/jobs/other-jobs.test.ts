import { describe, expect, it } from 'vitest';
import { requestProvision } from '../../../src/jobs/provision.job.js';
import { reconcileNow, scheduleReconcile } from '../../../src/jobs/reconcile.job.js';
import { buildRegistry } from '../../../src/jobs/registry.js';
import { warmTemplatesNow } from '../../../src/jobs/warm-templates.job.js';
import { enqueueStateMail } from '../../../src/jobs/state-mail.job.js';
import { enqueueWelcome } from '../../../src/jobs/welcome.job.js';
import type { JobName } from '../../../src/ports/jobs.port.js';
import { FakeJobQueue } from '../../support/fakes/fake-job-queue.js';
import { jobContext, worldJobDeps } from '../../support/jobs.js';
import { STARTER_PLAN, worldWithInstance, type World } from '../../support/world.js';

function jobsOf(world: World) {
  const { deps, outbox } = worldJobDeps(world);
  const registry = buildRegistry(deps);
  const run = (name: JobName, data: object, ctx = jobContext()) => {
    const definition = registry.get(name);
    if (!definition) throw new Error(`no ${name}`);
    return definition.handler(definition.schema.parse(data), ctx);
  };
  return { registry, run, outbox };
}

describe('the welcome job', () => {
  it('sends the welcome mail and answers its message id', async () => {
    const world = await worldWithInstance({}, true);
    const { run, outbox } = jobsOf(world);
    expect(await run('welcome', { instanceId: 1, kind: 'welcome' })).toEqual({
      messageId: '<fake-1@test>',
    });
    expect(outbox.sent.map((m) => m.to)).toEqual(['ana@example.com']);
  });

  it('is queued once per instance and subdomain', async () => {
    const queue = new FakeJobQueue();
    await enqueueWelcome(queue, 5, 'acme');
    await enqueueWelcome(queue, 5, 'acme');
    await enqueueWelcome(queue, 5, 'other-co');
    expect([...queue.jobs.keys()]).toEqual(['welcome-5-acme', 'welcome-5-other-co']);
    expect(queue.dataOf('welcome')[0]).toEqual({ instanceId: 5, kind: 'welcome' });
  });
});

describe('the subscription mail jobs', () => {
  const PAY = 'https://master.example.com/my/invoices/31?access_token=t';

  it.each([
    [
      'reminder-mail',
      {
        invoice_id: 31,
        invoice_name: 'INV/2026/0031',
        amount: 29.9,
        currency: 'EUR',
        due_date: '2026-12-31',
        days_left: 7,
        trial: false,
      },
      'Su suscripción termina en 7 días',
    ],
    [
      'deletion-warning-mail',
      { deletion_date: '2027-02-07', suspended_on: '2027-01-08', invoice_id: 31 },
      'Su instancia se eliminará el 2027-02-07',
    ],
    [
      'charge-failed-mail',
      {
        invoice_id: 31,
        invoice_name: 'INV/2026/0031',
        amount: 29.9,
        currency: 'EUR',
        attempt: 1,
        attempts_left: 2,
        error: 'Card declined',
        due_date: '2026-12-31',
      },
      'Su pago automático ha fallado',
    ],
  ] as const)(
    '%s sends its mail on the mail queue, retried 8 times',
    async (name, facts, subject) => {
      const world = await worldWithInstance({}, true);
      world.odoo.payUrls.set('1:31', PAY); // the master's link of the open invoice, read at send time
      const { registry, run, outbox } = jobsOf(world);
      expect(registry.get(name)).toMatchObject({ queue: 'mail', attempts: 8 });
      expect(await run(name, { instanceId: 1, eventId: 'e1', facts })).toEqual({
        messageId: '<fake-1@test>',
      });
      expect(outbox.sent.map((m) => m.subject)).toEqual([subject]);
      expect(outbox.sent[0]?.text).toContain(PAY);
    },
  );

  it('state-mail sends the mail of the state the lifecycle wrote', async () => {
    const world = await worldWithInstance({}, true);
    await world.lifecycle.suspend(1, { eventId: 's1' });
    const { run, outbox } = jobsOf(world);
    await run('state-mail', { instanceId: 1, kind: 'suspended', invoiceId: 31 });
    expect(outbox.sent.map((m) => m.subject)).toEqual(['Su servicio ha sido suspendido']);
  });

  it('state mails are queued once per kind, instance and event', async () => {
    const queue = new FakeJobQueue();
    await enqueueStateMail(queue, { instanceId: 5, kind: 'suspended' }, 'e1');
    await enqueueStateMail(queue, { instanceId: 5, kind: 'suspended' }, 'e1');
    await enqueueStateMail(queue, { instanceId: 5, kind: 'deleted' }, 'e1');
    expect([...queue.jobs.keys()]).toEqual([
      'state-mail-suspended-5-e1',
      'state-mail-deleted-5-e1',
    ]);
  });
});

describe('the maintenance jobs', () => {
  it('reconcile runs the reconciler and answers its report', async () => {
    const world = await worldWithInstance({ state: 'provisioning' });
    const { run } = jobsOf(world);
    expect(await run('reconcile', {})).toMatchObject({ provisionRequested: [1] });
    expect(world.provisionRequests).toEqual([1]);
  });

  it('warm-templates builds every plan template, reporting progress', async () => {
    const world = await worldWithInstance();
    world.odoo.addPlan({ ...STARTER_PLAN, id: 8, code: 'pro', modules: ['sale'] });
    const { run } = jobsOf(world);
    const ctx = jobContext();
    const { templates } = (await run('warm-templates', {}, ctx)) as { templates: string[] };
    expect(templates).toHaveLength(2);
    expect(templates.every((t) => world.db.dbs.has(t))).toBe(true);
    expect(ctx.progressed).toEqual([50, 100]);
  });

  it('are queued with ids from their data: a reconcile per start, a provision per minute', async () => {
    const queue = new FakeJobQueue();
    const t = Date.UTC(2026, 11, 1, 20, 0, 5);
    await scheduleReconcile(queue, 60);
    await reconcileNow(queue, t);
    await warmTemplatesNow(queue, t);
    await requestProvision(queue, 4, t);
    await requestProvision(queue, 4, t + 50_000);
    const minute = Math.floor(t / 60_000);
    expect(queue.schedulers.get('reconcile')).toEqual({ everyMs: 60_000, data: {} });
    expect([...queue.jobs.keys()]).toEqual([
      `reconcile-start-${t}`,
      `warm-templates-${t}`,
      `provision-4-reconcile-${minute}`,
    ]);
    expect(queue.dataOf('provision')).toEqual([
      {
        instanceId: 4,
        action: 'provision',
        eventId: `reconcile-${minute}`,
        eventType: 'reconcile',
      },
    ]);
  });
});

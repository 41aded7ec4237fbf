import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bridgeEventSchema,
  type BridgeEvent,
  type EventType,
} from '../../../src/schemas/event.schema.js';
import { EventIntakeService } from '../../../src/services/event-intake.service.js';
import { FakeEventDedupe } from '../../support/fakes/fake-event-dedupe.js';
import { FakeJobQueue } from '../../support/fakes/fake-job-queue.js';

const TOKEN_URL = 'https://master.example.com/my/invoices/31?access_token=s3cr3t';
const DATA: Record<EventType, object> = {
  'order.confirmed': {
    order_id: 5,
    order_name: 'S00005',
    partner_id: 42,
    plan_code: 'starter',
    subdomain: 'acme',
    lang: 'es_ES',
    country_code: 'ES',
    currency: 'EUR',
    tz: 'Europe/Madrid',
  },
  'invoice.paid': {
    invoice_id: 9,
    invoice_name: 'INV/2026/0009',
    partner_id: 42,
    plan_code: 'starter',
    amount: 29.9,
    currency: 'EUR',
  },
  'instance.retry': { requested_by: 'admin' },
  'instance.suspend': { requested_by: 'admin' },
  'instance.reactivate': { requested_by: 'admin' },
  'instance.terminate': { requested_by: 'admin' },
  'instance.backup': { requested_by: 'admin', kind: 'manual', backup_id: 7 },
  'instance.restore': { requested_by: 'ann', backup_id: 7, snapshot_id: '8ba6de72' },
  'instance.copy': { requested_by: 'admin', backup_id: 7, source_instance_id: 3 },
  'instance.backups_expired': { purged_on: '2026-10-01', kept_days: 30 },
  'instance.reminder': {
    invoice_id: 31,
    invoice_name: 'INV/2026/0031',
    amount: 29.9,
    currency: 'EUR',
    pay_url: TOKEN_URL,
    due_date: '2026-12-31',
    days_left: 7,
    trial: false,
  },
  'instance.deletion_warning': { deletion_date: '2027-02-07', suspended_on: '2027-01-08' },
  'instance.charge_failed': {
    invoice_id: 31,
    invoice_name: 'INV/2026/0031',
    amount: 29.9,
    currency: 'EUR',
    pay_url: TOKEN_URL,
    attempt: 1,
    attempts_left: 2,
    error: 'Card declined',
    due_date: '2026-12-31',
  },
  'instance.plan_changed': { plan_code: 'pro', previous_plan_code: 'basic', change: 'upgrade' },
  'instance.storage_warning': { used_mb: 1700.5, quota_mb: 2048, pct: 83 },
  'instance.update': {
    requested_by: 'admin',
    rollout_line_id: 4,
    target_version: '17.0.1.1.0',
    modules: ['saas_tenant'],
  },
  'instance.move': { requested_by: 'admin', node: 'saas-swarm-node-2' },
  'domain.verify': { domain_id: 4, domain: 'erp.acme.com', token: 'a'.repeat(32) },
  'domain.remove': { domain: 'erp.acme.com', was_verified: true },
};

function event(type: EventType, id: string = randomUUID(), instanceId = 12): BridgeEvent {
  return bridgeEventSchema.parse({
    id,
    type,
    occurred_at: '2026-11-22T05:00:00Z',
    instance_id: instanceId,
    data: DATA[type],
  });
}

function setup() {
  const queue = new FakeJobQueue();
  const dedupe = new FakeEventDedupe();
  const intake = new EventIntakeService(queue, dedupe, { settleWaitMs: 200, pollMs: 5 });
  return { queue, dedupe, intake };
}

describe('EventIntakeService', () => {
  it.each([
    ['order.confirmed', 'provision'],
    ['instance.retry', 'provision'],
    ['instance.copy', 'provision'],
    ['invoice.paid', 'paid'],
    ['instance.suspend', 'suspend'],
    ['instance.reactivate', 'reactivate'],
    ['instance.terminate', 'terminate'],
    ['instance.plan_changed', 'change-plan'],
  ] as const)('turns %s into a %s job', async (type, action) => {
    const { queue, intake } = setup();
    const e = event(type);
    const result = await intake.accept(e);
    expect(result).toEqual({ duplicate: false, jobId: `${action}-12-${e.id}` });
    expect(queue.jobs.get(`${action}-12-${e.id}`)).toEqual({
      name: action,
      data: { instanceId: 12, action, eventId: e.id, eventType: type },
      delayMs: undefined,
    });
  });

  it('turns instance.move into a move-instance job naming the node', async () => {
    const { queue, intake } = setup();
    const e = event('instance.move');
    await intake.accept(e);
    expect(queue.jobs.get(`move-instance-12-${e.id}`)?.data).toEqual({
      instanceId: 12,
      action: 'move-instance',
      eventId: e.id,
      eventType: 'instance.move',
      node: 'saas-swarm-node-2',
    });
    // a node name that is no hostname (a path, a shell word) is refused at the schema
    expect(() =>
      bridgeEventSchema.parse({
        ...e,
        data: { requested_by: 'admin', node: '../etc; rm' },
      }),
    ).toThrow(/is not a node name/);
  });

  it.each([
    ['instance.reminder', 'reminder-mail'],
    ['instance.deletion_warning', 'deletion-warning-mail'],
    ['instance.charge_failed', 'charge-failed-mail'],
    ['instance.storage_warning', 'storage-warning-mail'],
  ] as const)('turns %s into one %s job carrying the event data', async (type, name) => {
    const { queue, intake } = setup();
    const e = event(type);
    expect(await intake.accept(e)).toEqual({ duplicate: false, jobId: `${name}-12-${e.id}` });
    const facts: Record<string, unknown> = { ...DATA[type] };
    delete facts.pay_url; // the link holds an access token: only the invoice id is queued
    expect(queue.jobs.get(`${name}-12-${e.id}`)).toEqual({
      name,
      data: { instanceId: 12, eventId: e.id, facts },
      delayMs: undefined,
    });
    // resent: the same job id, so the mail goes once
    expect(await intake.accept(e)).toEqual({ duplicate: true, jobId: undefined });
    expect(queue.adds).toBe(1);
  });

  it('turns the custom domain events into verify-domain and remove-domain jobs', async () => {
    const { queue, intake } = setup();
    const verify = event('domain.verify');
    expect(await intake.accept(verify)).toEqual({
      duplicate: false,
      jobId: `verify-domain-12-${verify.id}`,
    });
    expect(queue.jobs.get(`verify-domain-12-${verify.id}`)).toEqual({
      name: 'verify-domain',
      data: { instanceId: 12, domainId: 4, domain: 'erp.acme.com', token: 'a'.repeat(32) },
      delayMs: undefined,
    });
    const remove = event('domain.remove');
    await intake.accept(remove);
    expect(queue.jobs.get(`remove-domain-12-${remove.id}`)).toMatchObject({
      name: 'remove-domain',
      data: { instanceId: 12, domain: 'erp.acme.com', wasVerified: true },
    });
  });

  it('refuses a custom domain event whose domain or token is malformed', () => {
    for (const data of [
      { domain_id: 4, domain: 'not a domain', token: 'a'.repeat(32) },
      { domain_id: 4, domain: 'localhost', token: 'a'.repeat(32) },
      { domain_id: 4, domain: 'erp.acme.com', token: 'short' },
    ]) {
      const parsed = bridgeEventSchema.safeParse({
        id: randomUUID(),
        type: 'domain.verify',
        occurred_at: '2026-11-22T05:00:00Z',
        instance_id: 12,
        data,
      });
      expect(parsed.success, JSON.stringify(data)).toBe(false);
    }
  });

  it('turns instance.backups_expired into one expire-backups job on the backups queue', async () => {
    const { queue, intake } = setup();
    const e = event('instance.backups_expired');
    expect(await intake.accept(e)).toEqual({
      duplicate: false,
      jobId: `expire-backups-12-${e.id}`,
    });
    expect(queue.jobs.get(`expire-backups-12-${e.id}`)).toMatchObject({
      name: 'expire-backups',
      data: { instanceId: 12, eventId: e.id },
    });
  });

  it('turns instance.update into one update-instance job with the rollout line', async () => {
    const { queue, intake } = setup();
    const e = event('instance.update');
    expect(await intake.accept(e)).toEqual({
      duplicate: false,
      jobId: `update-instance-12-${e.id}`,
    });
    expect(queue.jobs.get(`update-instance-12-${e.id}`)).toMatchObject({
      name: 'update-instance',
      data: {
        instanceId: 12,
        eventId: e.id,
        rolloutLineId: 4,
        targetVersion: '17.0.1.1.0',
        modules: ['saas_tenant'],
      },
    });
  });

  it('refuses an update whose modules are no module names', () => {
    const bad = { ...DATA['instance.update'], modules: ['saas_tenant --stop-after-init'] };
    expect(() => bridgeEventSchema.parse({ ...event('instance.update'), data: bad })).toThrow();
  });

  it('carries purge and the pay link of the sweep into the instance job', async () => {});

  it('carries purge and the open invoice of the sweep into the instance job', async () => {
    const { queue, intake } = setup();
    const purge = bridgeEventSchema.parse({
      ...event('instance.terminate'),
      data: { requested_by: 'lifecycle-sweep', purge: true, reason: 'unpaid' },
    });
    await intake.accept(purge);
    expect(queue.jobs.get(`terminate-12-${purge.id}`)?.data).toMatchObject({ purge: true });
    const suspend = bridgeEventSchema.parse({
      ...event('instance.suspend'),
      data: {
        requested_by: 'lifecycle-sweep',
        reason: 'expired',
        invoice_id: 31,
        pay_url: TOKEN_URL,
      },
    });
    await intake.accept(suspend);
    expect(queue.jobs.get(`suspend-12-${suspend.id}`)?.data).toEqual({
      instanceId: 12,
      action: 'suspend',
      eventId: suspend.id,
      eventType: 'instance.suspend',
      invoiceId: 31,
    });
  });

  it('queues no pay link or access token in any job data (Redis, Bull Board)', async () => {
    const { queue, intake } = setup();
    const withLink = (type: EventType, data: object) =>
      bridgeEventSchema.parse({ ...event(type), data: { ...DATA[type], ...data } });
    const open = { invoice_id: 31, pay_url: TOKEN_URL };
    for (const e of [
      withLink('instance.reminder', {}),
      withLink('instance.charge_failed', {}),
      withLink('instance.deletion_warning', open),
      withLink('instance.suspend', { reason: 'expired', ...open }),
    ])
      await intake.accept(e);
    expect(queue.jobs.size).toBe(4);
    for (const job of queue.jobs.values()) {
      const stored = JSON.stringify(job.data);
      expect(stored).not.toContain('access_token');
      expect(stored).not.toContain('s3cr3t');
      expect(stored).not.toMatch(/pay_?url/i);
      expect(stored).toContain('31'); // the invoice id, from which the mail reads the link
    }
  });

  it('refuses mail events with bad data (an unbounded id, a pay link that is not http)', () => {
    const bad = (data: object) =>
      bridgeEventSchema.safeParse({ ...event('instance.reminder'), data }).success;
    expect(bad({ ...DATA['instance.reminder'], invoice_id: 2 ** 31 })).toBe(false);
    expect(bad({ ...DATA['instance.reminder'], pay_url: 'javascript:alert(1)' })).toBe(false);
    expect(bad({ ...DATA['instance.reminder'], days_left: -1 })).toBe(false);
    expect(bad({ ...DATA['instance.reminder'] })).toBe(true);
    // a local or test master's link has a host without a dot (z.httpUrl() refused it: a 422)
    const local = 'http://localhost:18069/my/invoices/31?access_token=t';
    expect(bad({ ...DATA['instance.reminder'], pay_url: local })).toBe(true);
    expect(bad({ ...DATA['instance.reminder'], pay_url: 'http://127.0.0.1:8069/x' })).toBe(true);
  });

  it("refuses an order whose buyer's locale is malformed, and takes a partner without one", () => {
    const parse = (data: object) =>
      bridgeEventSchema.safeParse({ ...event('order.confirmed'), data });
    const order = DATA['order.confirmed'];
    for (const wrong of [
      { lang: 'spanish' },
      { country_code: 'es' },
      { currency: 'euro' },
      { tz: 'Mars/Olympus_Mons' },
      { tz: "Europe/Madrid'; --" },
    ])
      expect(parse({ ...order, ...wrong }).success, JSON.stringify(wrong)).toBe(false);
    const withoutLang: Record<string, unknown> = { ...order };
    delete withoutLang.lang;
    // queued by a master from before the locale (in the outbox across an upgrade): still an order
    expect(parse(withoutLang).success, 'an older master omits the keys').toBe(true);
    const none = parse({ ...order, lang: false, country_code: false, currency: false, tz: false });
    expect(none.success && none.data.data).toMatchObject({ subdomain: 'acme' });
    expect(none.success && 'tz' in none.data.data && none.data.data.tz).toBeUndefined();
  });

  it('answers a resent event as a duplicate and queues nothing more', async () => {
    const { queue, intake } = setup();
    const e = event('order.confirmed');
    await intake.accept(e);
    expect(await intake.accept(e)).toEqual({ duplicate: true, jobId: undefined });
    expect(await intake.accept(structuredClone(e))).toEqual({ duplicate: true, jobId: undefined });
    expect(queue.adds).toBe(1);
    expect(queue.jobs.size).toBe(1);
  });

  it('takes the same UUID in capitals for the same event', async () => {
    const { queue, intake } = setup();
    const id = randomUUID();
    expect((await intake.accept(event('instance.suspend', id))).duplicate).toBe(false);
    expect(await intake.accept(event('instance.suspend', id.toUpperCase()))).toEqual({
      duplicate: true,
      jobId: undefined,
    });
    expect(queue.adds).toBe(1);
  });

  it('gives one of three concurrent deliveries the job, the others "duplicate"', async () => {
    const { queue, intake } = setup();
    const e = event('order.confirmed');
    const results = await Promise.all([intake.accept(e), intake.accept(e), intake.accept(e)]);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(results.filter((r) => r.duplicate)).toHaveLength(2);
    expect(queue.adds).toBe(1);
  });

  it('remembers event ids for 30 days once queued, keyed by event id', async () => {
    const { dedupe, intake } = setup();
    const e = event('invoice.paid');
    await intake.accept(e);
    expect(dedupe.keys.get(`event:${e.id}`)).toEqual({ state: 'done', ttlSeconds: 30 * 24 * 3600 });
  });

  it('builds the same jobId for the same event, so a lost claim still queues once', async () => {
    const { queue, dedupe, intake } = setup();
    const e = event('instance.suspend');
    const first = await intake.accept(e);
    dedupe.keys.clear(); // e.g. Redis lost the key
    const second = await intake.accept(e);
    expect(second.jobId).toBe(first.jobId);
    expect(queue.jobs.size).toBe(1);
  });

  it('queues different events of one instance separately', async () => {
    const { queue, intake } = setup();
    await intake.accept(event('instance.suspend'));
    await intake.accept(event('instance.suspend'));
    await intake.accept(event('instance.reactivate', randomUUID(), 13));
    expect(queue.jobs.size).toBe(3);
  });

  it('frees the claim when queueing fails, so the resend is queued', async () => {
    const { queue, dedupe, intake } = setup();
    const e = event('order.confirmed');
    queue.enqueueError = new Error('Redis is away');
    await expect(intake.accept(e)).rejects.toThrow('Redis is away');
    expect(dedupe.keys.size).toBe(0);
    queue.enqueueError = undefined;
    expect((await intake.accept(e)).duplicate).toBe(false);
    expect(queue.jobs.size).toBe(1);
  });

  it('asks a second delivery to come back (transient) while the first never finishes', async () => {
    const { queue, dedupe, intake } = setup();
    const e = event('order.confirmed');
    await dedupe.claim(`event:${e.id}`, 60); // a holder that died before queueing
    await expect(intake.accept(e)).rejects.toMatchObject({
      code: 'event_in_flight',
      permanent: false,
    });
    expect(queue.adds).toBe(0);
  });

  it('sends backup and restore requests to the backups queue, with their own job ids', async () => {
    const { queue, intake } = setup();
    const b = event('instance.backup');
    const r = event('instance.restore');
    expect(await intake.accept(b)).toEqual({
      duplicate: false,
      jobId: `backup-instance-12-${b.id}`,
    });
    await intake.accept(r);
    expect(await intake.accept(r)).toEqual({ duplicate: true, jobId: undefined });
    expect([...queue.jobs.entries()]).toEqual([
      [
        `backup-instance-12-${b.id}`,
        {
          name: 'backup-instance',
          delayMs: undefined,
          data: {
            instanceId: 12,
            kind: 'manual',
            backupRecordId: 7,
            ref: `backup-instance-12-${b.id}`,
          },
        },
      ],
      [
        `restore-instance-12-${r.id}`,
        {
          name: 'restore-instance',
          delayMs: undefined,
          data: {
            instanceId: 12,
            snapshotId: '8ba6de72',
            requestedBy: 'ann',
            ref: `restore-instance-12-${r.id}`,
          },
        },
      ],
    ]);
  });

  it('refuses a restore without a valid snapshot id', () => {
    const bad = bridgeEventSchema.safeParse({
      id: randomUUID(),
      type: 'instance.restore',
      occurred_at: '2026-11-22T05:00:00Z',
      instance_id: 12,
      data: { requested_by: 'ann', backup_id: 7, snapshot_id: '../../etc' },
    });
    expect(bad.success).toBe(false);
  });
});

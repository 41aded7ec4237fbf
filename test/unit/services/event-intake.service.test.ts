import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bridgeEventSchema,
  type BridgeEvent,
  type EventType,
} from '../../../src/schemas/event.schema.js';
import { EventIntakeService } from '../../../src/services/event-intake.service.js';
import { FakeIntakeQueue } from '../../support/fakes/fake-intake-queue.js';

const DATA: Record<EventType, object> = {
  'order.confirmed': {
    order_id: 5,
    order_name: 'S00005',
    partner_id: 42,
    plan_code: 'starter',
    subdomain: 'acme',
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
};

function event(type: EventType, id = randomUUID(), instanceId = 12): BridgeEvent {
  return bridgeEventSchema.parse({
    id,
    type,
    occurred_at: '2026-11-22T05:00:00Z',
    instance_id: instanceId,
    data: DATA[type],
  });
}

describe('EventIntakeService', () => {
  it.each([
    ['order.confirmed', 'provision'],
    ['instance.retry', 'provision'],
    ['invoice.paid', 'paid'],
    ['instance.suspend', 'suspend'],
    ['instance.reactivate', 'reactivate'],
    ['instance.terminate', 'terminate'],
  ] as const)('turns %s into a %s job', async (type, action) => {
    const queue = new FakeIntakeQueue();
    const e = event(type);
    const result = await new EventIntakeService(queue).accept(e);
    expect(result).toEqual({ duplicate: false, jobId: `${action}-12-${e.id}` });
    expect(queue.jobs.get(`${action}-12-${e.id}`)).toEqual({
      instanceId: 12,
      action,
      eventId: e.id,
      eventType: type,
    });
  });

  it('answers a resent event as a duplicate and queues nothing more', async () => {
    const queue = new FakeIntakeQueue();
    const intake = new EventIntakeService(queue);
    const e = event('order.confirmed');
    await intake.accept(e);
    expect(await intake.accept(e)).toEqual({ duplicate: true, jobId: undefined });
    expect(await intake.accept(structuredClone(e))).toEqual({ duplicate: true, jobId: undefined });
    expect(queue.adds).toBe(1);
    expect(queue.jobs.size).toBe(1);
  });

  it('remembers event ids for 30 days, keyed by event id', async () => {
    const queue = new FakeIntakeQueue();
    const e = event('invoice.paid');
    await new EventIntakeService(queue).accept(e);
    expect(queue.seen.get(`event:${e.id}`)).toBe(30 * 24 * 3600);
  });

  it('builds the same jobId for the same event, so a lost "seen" mark still queues once', async () => {
    const queue = new FakeIntakeQueue();
    const intake = new EventIntakeService(queue);
    const e = event('instance.suspend');
    const first = await intake.accept(e);
    queue.seen.clear(); // e.g. the answer was lost before the mark was written
    const second = await intake.accept(e);
    expect(second.jobId).toBe(first.jobId);
    expect(queue.jobs.size).toBe(1);
  });

  it('queues different events of one instance separately', async () => {
    const queue = new FakeIntakeQueue();
    const intake = new EventIntakeService(queue);
    await intake.accept(event('instance.suspend'));
    await intake.accept(event('instance.suspend'));
    await intake.accept(event('instance.reactivate', randomUUID(), 13));
    expect(queue.jobs.size).toBe(3);
  });

  it('does not mark an event seen when queueing fails, so the resend is queued', async () => {
    const queue = new FakeIntakeQueue();
    const intake = new EventIntakeService(queue);
    const e = event('order.confirmed');
    queue.enqueueError = new Error('Redis is away');
    await expect(intake.accept(e)).rejects.toThrow('Redis is away');
    expect(queue.seen.size).toBe(0);
    queue.enqueueError = undefined;
    expect((await intake.accept(e)).duplicate).toBe(false);
    expect(queue.jobs.size).toBe(1);
  });

  it('sends backup and restore requests to the backups queue, with their own job ids', async () => {
    const queue = new FakeIntakeQueue();
    const backups: unknown[] = [];
    const intake = new EventIntakeService(queue, async (job) => {
      backups.push(job);
      return job.jobId;
    });
    const b = event('instance.backup');
    const r = event('instance.restore');
    expect(await intake.accept(b)).toEqual({
      duplicate: false,
      jobId: `backup-instance-12-${b.id}`,
    });
    await intake.accept(r);
    expect(await intake.accept(r)).toEqual({ duplicate: true, jobId: undefined });
    expect(backups).toEqual([
      {
        name: 'backup-instance',
        jobId: `backup-instance-12-${b.id}`,
        data: {
          instanceId: 12,
          kind: 'manual',
          backupRecordId: 7,
          ref: `backup-instance-12-${b.id}`,
        },
      },
      {
        name: 'restore-instance',
        jobId: `restore-instance-12-${r.id}`,
        data: {
          instanceId: 12,
          snapshotId: '8ba6de72',
          requestedBy: 'ann',
          ref: `restore-instance-12-${r.id}`,
        },
      },
    ]);
    expect(queue.jobs.size).toBe(0);
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

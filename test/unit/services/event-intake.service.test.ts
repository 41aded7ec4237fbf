import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bridgeEventSchema,
  type BridgeEvent,
  type EventType,
} from '../../../src/schemas/event.schema.js';
import { EventIntakeService } from '../../../src/services/event-intake.service.js';
import { FakeJobQueue } from '../../support/fakes/fake-job-queue.js';

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
    const queue = new FakeJobQueue();
    const e = event(type);
    const result = await new EventIntakeService(queue).accept(e);
    expect(result).toEqual({ duplicate: false, jobId: `${action}-12-${e.id}` });
    expect(queue.jobs.get(`${action}-12-${e.id}`)).toEqual({
      name: action,
      data: { instanceId: 12, action, eventId: e.id, eventType: type },
      delayMs: undefined,
    });
  });

  it('answers a resent event as a duplicate and queues nothing more', async () => {
    const queue = new FakeJobQueue();
    const intake = new EventIntakeService(queue);
    const e = event('order.confirmed');
    await intake.accept(e);
    expect(await intake.accept(e)).toEqual({ duplicate: true, jobId: undefined });
    expect(await intake.accept(structuredClone(e))).toEqual({ duplicate: true, jobId: undefined });
    expect(queue.adds).toBe(1);
    expect(queue.jobs.size).toBe(1);
  });

  it('remembers event ids for 30 days, keyed by event id', async () => {
    const queue = new FakeJobQueue();
    const e = event('invoice.paid');
    await new EventIntakeService(queue).accept(e);
    expect(queue.seen.get(`event:${e.id}`)).toBe(30 * 24 * 3600);
  });

  it('builds the same jobId for the same event, so a lost "seen" mark still queues once', async () => {
    const queue = new FakeJobQueue();
    const intake = new EventIntakeService(queue);
    const e = event('instance.suspend');
    const first = await intake.accept(e);
    queue.seen.clear(); // e.g. the answer was lost before the mark was written
    const second = await intake.accept(e);
    expect(second.jobId).toBe(first.jobId);
    expect(queue.jobs.size).toBe(1);
  });

  it('queues different events of one instance separately', async () => {
    const queue = new FakeJobQueue();
    const intake = new EventIntakeService(queue);
    await intake.accept(event('instance.suspend'));
    await intake.accept(event('instance.suspend'));
    await intake.accept(event('instance.reactivate', randomUUID(), 13));
    expect(queue.jobs.size).toBe(3);
  });

  it('does not mark an event seen when queueing fails, so the resend is queued', async () => {
    const queue = new FakeJobQueue();
    const intake = new EventIntakeService(queue);
    const e = event('order.confirmed');
    queue.enqueueError = new Error('Redis is away');
    await expect(intake.accept(e)).rejects.toThrow('Redis is away');
    expect(queue.seen.size).toBe(0);
    queue.enqueueError = undefined;
    expect((await intake.accept(e)).duplicate).toBe(false);
    expect(queue.jobs.size).toBe(1);
  });
});

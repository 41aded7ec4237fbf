import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventDedupeAdapter } from '../../src/adapters/event-dedupe.adapter.js';
import { bridgeEventSchema } from '../../src/schemas/event.schema.js';
import { EventIntakeService } from '../../src/services/event-intake.service.js';
import { FakeJobQueue } from '../support/fakes/fake-job-queue.js';
import { unavailable } from '../support/integration/availability.js';
import {
  deleteKeys,
  inspector,
  pingRedis,
  REDIS_URL,
  uniquePrefix,
} from '../support/integration/redis.js';

const skip = await unavailable('Redis', pingRedis);

const prefix = uniquePrefix('dedupe');
let redis: Redis;
const adapters: EventDedupeAdapter[] = [];

/** each one its own Redis connection, as two bridge processes would have */
function adapter(): EventDedupeAdapter {
  const dedupe = new EventDedupeAdapter(REDIS_URL, prefix);
  adapters.push(dedupe);
  return dedupe;
}

describe.skipIf(skip)('EventDedupeAdapter against a real Redis', () => {
  beforeAll(async () => {
    redis = inspector();
    await redis.connect();
  });

  afterAll(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('lets exactly one of many concurrent claims of a key through', async () => {
    const contenders = Array.from({ length: 8 }, () => adapter());
    const key = `event:${randomUUID()}`;
    const won = await Promise.all(contenders.map((d) => d.claim(key, 60)));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await redis.get(`${prefix}:seen:${key}`)).toBe('pending');
    expect(await redis.ttl(`${prefix}:seen:${key}`)).toBeGreaterThan(50);
  });

  it('settles a claim for its long ttl, and release then leaves it alone', async () => {
    const dedupe = adapter();
    const key = `event:${randomUUID()}`;
    expect(await dedupe.stateOf(key)).toBeUndefined();
    expect(await dedupe.claim(key, 60)).toBe(true);
    expect(await dedupe.stateOf(key)).toBe('pending');
    await dedupe.settle(key, 30 * 24 * 3600);
    expect(await dedupe.stateOf(key)).toBe('done');
    expect(await redis.ttl(`${prefix}:seen:${key}`)).toBeGreaterThan(29 * 24 * 3600);
    await dedupe.release(key);
    expect(await dedupe.stateOf(key)).toBe('done');
    expect(await dedupe.claim(key, 60)).toBe(false);
  });

  it('releases a pending claim, so the next delivery can claim it', async () => {
    const dedupe = adapter();
    const key = `event:${randomUUID()}`;
    await dedupe.claim(key, 60);
    await dedupe.release(key);
    expect(await dedupe.stateOf(key)).toBeUndefined();
    expect(await dedupe.claim(key, 60)).toBe(true);
  });

  it('still takes an id marked seen by the older job-queue code for a duplicate', async () => {
    const dedupe = adapter();
    const key = `event:${randomUUID()}`;
    await redis.set(`${prefix}:seen:${key}`, '1', 'EX', 60);
    expect(await dedupe.claim(key, 60)).toBe(false);
    expect(await dedupe.stateOf(key)).toBe('done');
  });

  it('gives three concurrent deliveries of one event, on three processes, one job', async () => {
    const queue = new FakeJobQueue();
    const intakes = [adapter(), adapter(), adapter()].map((d) => new EventIntakeService(queue, d));
    const event = bridgeEventSchema.parse({
      id: randomUUID(),
      type: 'instance.suspend',
      occurred_at: new Date().toISOString(),
      instance_id: 78,
      data: { requested_by: 'admin' },
    });
    const results = await Promise.all(intakes.map((intake) => intake.accept(event)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(results.filter((r) => r.duplicate)).toHaveLength(2);
    expect(queue.adds).toBe(1);
  });
});

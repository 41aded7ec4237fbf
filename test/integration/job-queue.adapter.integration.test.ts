import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventDedupeAdapter } from '../../src/adapters/event-dedupe.adapter.js';
import { JobQueueAdapter, type Job } from '../../src/adapters/job-queue.adapter.js';
import { JobProducers } from '../../src/queues/producers.js';
import { QUEUES } from '../../src/queues/queue-names.js';
import { bridgeEventSchema } from '../../src/schemas/event.schema.js';
import { EventIntakeService } from '../../src/services/event-intake.service.js';
import { unavailable } from '../support/integration/availability.js';
import { freePort } from '../support/integration/net.js';
import {
  deleteKeys,
  inspector,
  pingRedis,
  REDIS_URL,
  uniquePrefix,
  waitForJobState,
} from '../support/integration/redis.js';

const skip = await unavailable('Redis', pingRedis);

const prefix = uniquePrefix('jq');
let redis: Redis;
const adapters: JobQueueAdapter[] = [];

function adapter(): JobQueueAdapter {
  const jobs = new JobQueueAdapter(REDIS_URL, prefix);
  adapters.push(jobs);
  return jobs;
}

const provisionData = (instanceId: number) => ({
  instanceId,
  action: 'provision',
  eventId: randomUUID(),
  eventType: 'order.confirmed',
});

describe.skipIf(skip)('JobQueueAdapter against a real Redis', () => {
  beforeAll(async () => {
    redis = inspector();
    await redis.connect();
  });

  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((a) => a.close()));
    await deleteKeys(redis, prefix); // every test starts with empty queues
  });

  afterAll(async () => {
    if (!redis) return;
    await deleteKeys(redis, prefix);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    await redis.quit();
  });

  it('answers PING, and other commands, right after construction', async () => {
    await adapter().ping();
    expect(await adapter().wasSeen('event:fresh')).toBe(false);
    expect(await adapter().lock('instance:fresh', 'owner', 5)).toBe(true);
  });

  it('fails fast when Redis is away', async () => {
    const down = new JobQueueAdapter(`redis://127.0.0.1:${await freePort()}`, prefix);
    adapters.push(down);
    const started = Date.now();
    await expect(down.ping()).rejects.toThrow();
    await expect(down.wasSeen('event:x')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('keeps one job per jobId', async () => {
    const jobs = adapter();
    const data = provisionData(1);
    expect(await jobs.add(QUEUES.instances, 'provision', data, 'provision-1-a')).toBe(
      'provision-1-a',
    );
    expect(
      await jobs.add(QUEUES.instances, 'provision', { ...data, eventId: 'other' }, 'provision-1-a'),
    ).toBe('provision-1-a');
    const queue = jobs.queue(QUEUES.instances);
    expect(await queue.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(1);
    expect((await queue.getJob('provision-1-a'))?.data).toEqual(data);
    await jobs.add(QUEUES.instances, 'provision', data, 'provision-1-b');
    expect(await queue.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(2);
  });

  it('gives jobs the default retries and retention, unless told otherwise', async () => {
    const jobs = adapter();
    await jobs.add(QUEUES.instances, 'provision', provisionData(2), 'defaults');
    await jobs.add(QUEUES.mail, 'welcome', { instanceId: 2, kind: 'welcome' }, 'custom', {
      attempts: 8,
    });
    const defaults = await jobs.queue(QUEUES.instances).getJob('defaults');
    expect(defaults?.opts).toMatchObject({
      attempts: 5,
      backoff: { type: 'exponential', delay: 2_000 },
    });
    expect(defaults?.opts.removeOnComplete).toEqual({ age: 7 * 24 * 3600, count: 5_000 });
    expect((await jobs.queue(QUEUES.mail).getJob('custom'))?.opts.attempts).toBe(8);
  });

  it('locks per resource: re-entrant for its owner, refused to others, released only by its owner', async () => {
    const jobs = adapter();
    expect(await jobs.lock('instance:1', 'job-a', 30)).toBe(true);
    expect(await jobs.lock('instance:1', 'job-a', 60)).toBe(true);
    expect(await redis.ttl(`${prefix}:lock:instance:1`)).toBeGreaterThan(30); // re-taking extends it
    expect(await jobs.lock('instance:1', 'job-b', 30)).toBe(false);
    expect(await jobs.lock('instance:2', 'job-b', 30)).toBe(true);
    await jobs.unlock('instance:1', 'job-b');
    expect(await jobs.lock('instance:1', 'job-b', 30)).toBe(false);
    await jobs.unlock('instance:1', 'job-a');
    expect(await jobs.lock('instance:1', 'job-b', 30)).toBe(true);
    await jobs.unlock('instance:1', 'job-a'); // not its lock any more: nothing happens
    expect(await redis.get(`${prefix}:lock:instance:1`)).toBe('job-b');
  });

  it('lets a lock expire after its TTL', async () => {
    const jobs = adapter();
    expect(await jobs.lock('instance:3', 'crashed-job', 1)).toBe(true);
    expect(await jobs.lock('instance:3', 'next-job', 1)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await jobs.lock('instance:3', 'next-job', 1)).toBe(true);
  });

  it('remembers seen keys for their TTL', async () => {
    const jobs = adapter();
    expect(await jobs.wasSeen('event:abc')).toBe(false);
    await jobs.markSeen('event:abc', 1);
    await jobs.markSeen('event:long', 3600);
    expect(await jobs.wasSeen('event:abc')).toBe(true);
    expect(await redis.ttl(`${prefix}:seen:event:long`)).toBeGreaterThan(3590);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await jobs.wasSeen('event:abc')).toBe(false);
    expect(await jobs.wasSeen('event:long')).toBe(true);
  });

  it('runs a worker that processes jobs and keeps their results', async () => {
    const jobs = adapter();
    const seen: Job[] = [];
    const worker = jobs.worker(
      QUEUES.mail,
      async (job) => {
        seen.push(job);
        return { sent: job.data.instanceId };
      },
      1,
    );
    void worker.run();
    await jobs.add(QUEUES.mail, 'welcome', { instanceId: 9, kind: 'welcome' }, 'welcome-9');
    const { job, state } = await waitForJobState(jobs.queue(QUEUES.mail), 'welcome-9', [
      'completed',
      'failed',
    ]);
    expect(state).toBe('completed');
    expect(job.returnvalue).toEqual({ sent: 9 });
    expect(seen.map((j) => j.name)).toEqual(['welcome']);
  });

  it('closes cleanly: the running job finishes first, then Redis is let go', async () => {
    const jobs = adapter();
    let finished = false;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const worker = jobs.worker(
      QUEUES.maintenance,
      async () => {
        started();
        await new Promise((resolve) => setTimeout(resolve, 300));
        finished = true;
        return 'done';
      },
      1,
    );
    void worker.run();
    await jobs.add(QUEUES.maintenance, 'reconcile', {}, 'slow-reconcile');
    await running;
    await jobs.close();
    expect(finished).toBe(true);
    expect(worker.isRunning()).toBe(false);
    await expect(jobs.ping()).rejects.toThrow();
    const reader = new JobQueueAdapter(REDIS_URL, prefix);
    adapters.push(reader);
    expect(
      await (await reader.queue(QUEUES.maintenance).getJob('slow-reconcile'))?.getState(),
    ).toBe('completed');
  });

  it('queues one job for an event sent twice (intake + producers on Redis)', async () => {
    const jobs = adapter();
    const dedupe = new EventDedupeAdapter(REDIS_URL, prefix);
    const intake = new EventIntakeService(new JobProducers(jobs), dedupe);
    const event = bridgeEventSchema.parse({
      id: randomUUID(),
      type: 'instance.suspend',
      occurred_at: new Date().toISOString(),
      instance_id: 77,
      data: { requested_by: 'admin' },
    });
    const first = await intake.accept(event);
    const second = await intake.accept(event);
    expect(first).toEqual({ duplicate: false, jobId: `suspend-77-${event.id}` });
    expect(second).toEqual({ duplicate: true, jobId: undefined });
    const queued = await jobs
      .queue(QUEUES.instances)
      .getJobs(['waiting', 'delayed', 'prioritized']);
    expect(queued.filter((j) => j.data.instanceId === 77).map((j) => j.id)).toEqual([first.jobId]);
    await dedupe.close();
  });

  it('queues one welcome mail per instance and one reconcile provision per minute', async () => {
    const jobs = adapter();
    const producers = new JobProducers(jobs);
    await producers.enqueueWelcome(5, 'acme');
    await producers.enqueueWelcome(5, 'acme');
    await producers.requestProvision(5);
    await producers.requestProvision(5);
    expect(await jobs.queue(QUEUES.mail).getJobCountByTypes('waiting')).toBe(1);
    // instance 5 of a recreated master (another subdomain) is another customer: mailed too
    await producers.enqueueWelcome(5, 'other-co');
    expect(await jobs.queue(QUEUES.mail).getJobCountByTypes('waiting')).toBe(2);
    const provisions = await jobs.queue(QUEUES.instances).getJobs(['waiting']);
    expect(provisions.filter((j) => j.data.instanceId === 5)).toHaveLength(1);
  });
});

import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventDedupeAdapter } from '../../src/adapters/event-dedupe.adapter.js';
import { JobQueueAdapter, type JobQueueOptions } from '../../src/adapters/job-queue.adapter.js';
import { BridgeError, BusyError } from '../../src/errors.js';
import { oneJobPerInstance } from '../../src/jobs/instance-lock.js';
import { requestProvision } from '../../src/jobs/provision.job.js';
import { reconcileNow, scheduleReconcile } from '../../src/jobs/reconcile.job.js';
import { enqueueWelcome } from '../../src/jobs/welcome.job.js';
import { JOBS, QUEUES, type JobContext, type JobDefinition } from '../../src/ports/jobs.port.js';
import { instanceJobSchema } from '../../src/schemas/job.schema.js';
import { bridgeEventSchema } from '../../src/schemas/event.schema.js';
import { EventIntakeService } from '../../src/services/event-intake.service.js';
import { unavailable } from '../support/integration/availability.js';
import { freePort } from '../support/integration/net.js';
import {
  deleteKeys,
  inspector,
  inspectQueue,
  pingRedis,
  REDIS_URL,
  uniquePrefix,
  waitForJobState,
} from '../support/integration/redis.js';
import { jobContext, registryOf, stubJob } from '../support/jobs.js';

const skip = await unavailable('Redis', pingRedis);

const prefix = uniquePrefix('jq');
let redis: Redis;
const adapters: JobQueueAdapter[] = [];
const inspected: Queue[] = [];

const QUICK_OUTAGE = { firstDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 60_000 };

/** an adapter with every declared job as a stub, except those given */
function adapter(...definitions: JobDefinition[]): JobQueueAdapter {
  return adapterWith({ outageBackoff: QUICK_OUTAGE }, ...definitions);
}

function adapterWith(options: JobQueueOptions, ...definitions: JobDefinition[]): JobQueueAdapter {
  const jobs = new JobQueueAdapter(REDIS_URL, { prefix, ...options });
  const given = new Set(definitions.map((d) => d.name));
  const names = Object.values(JOBS)
    .flat()
    .filter((n) => !given.has(n));
  jobs.register(registryOf([...names, ...definitions]));
  adapters.push(jobs);
  return jobs;
}

function queue(name: string): Queue {
  const q = inspectQueue(name, prefix);
  inspected.push(q);
  return q;
}

const settled = (name: string, id: string) =>
  waitForJobState(queue(name), id, ['completed', 'failed'], 20_000);

const provisionData = (instanceId: number) => ({
  instanceId,
  action: 'provision',
  eventId: randomUUID(),
  eventType: 'order.confirmed',
});

const START = { instances: 2, mail: 1, maintenance: 1, backups: 1 };

describe.skipIf(skip)('JobQueueAdapter against a real Redis', () => {
  beforeAll(async () => {
    redis = inspector();
    await redis.connect();
  });

  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((a) => a.close()));
    await Promise.all(inspected.splice(0).map((q) => q.close()));
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
    expect(await adapter().lock('instance:fresh', 'owner', 5)).toBe(true);
  });

  it('fails fast when Redis is away', async () => {
    const down = new JobQueueAdapter(`redis://127.0.0.1:${await freePort()}`, { prefix });
    adapters.push(down);
    const started = Date.now();
    await expect(down.ping()).rejects.toThrow();
    await expect(down.lock('instance:x', 'owner', 5)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('keeps one job per jobId', async () => {
    const jobs = adapter();
    const data = provisionData(1);
    expect(await jobs.enqueue('provision', data, { jobId: 'provision-1-a' })).toBe('provision-1-a');
    const again = { ...data, eventId: 'other' };
    expect(await jobs.enqueue('provision', again, { jobId: 'provision-1-a' })).toBe(
      'provision-1-a',
    );
    const instances = queue(QUEUES.instances);
    expect(await instances.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(1);
    expect((await instances.getJob('provision-1-a'))?.data).toEqual(data);
    await jobs.enqueue('provision', data, { jobId: 'provision-1-b' });
    expect(await instances.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(2);
  });

  it("gives each job its definition's retries and the retention, on the definition's queue", async () => {
    const jobs = adapter(
      stubJob('provision', { attempts: 5, backoff: { type: 'exponential', delayMs: 2_000 } }),
      stubJob('welcome', { attempts: 8 }),
    );
    await jobs.enqueue('provision', provisionData(2), { jobId: 'p' });
    await jobs.enqueue(
      'welcome',
      { instanceId: 2, kind: 'welcome' },
      { jobId: 'w', delayMs: 60_000 },
    );
    const provision = await queue(QUEUES.instances).getJob('p');
    expect(provision?.opts).toMatchObject({
      attempts: 5,
      backoff: { type: 'exponential', delay: 2_000 },
    });
    expect(provision?.opts.removeOnComplete).toEqual({ age: 7 * 24 * 3600, count: 5_000 });
    expect(provision?.opts.removeOnFail).toEqual({ age: 30 * 24 * 3600 });
    const welcome = await queue(QUEUES.mail).getJob('w');
    expect(welcome?.opts).toMatchObject({ attempts: 8, delay: 60_000 });
    expect(welcome?.opts.backoff).toBeUndefined();
    expect(await welcome?.getState()).toBe('delayed');
  });

  it('refuses to queue a job it has no definition of', async () => {
    const jobs = new JobQueueAdapter(REDIS_URL, { prefix });
    adapters.push(jobs);
    await expect(jobs.enqueue('welcome', {}, { jobId: 'x' })).rejects.toThrow(
      'job "welcome" is not registered',
    );
  });

  it('keeps one scheduler per job name, carrying the definition policy', async () => {
    const jobs = adapter(stubJob('reconcile', { attempts: 1 }));
    await scheduleReconcile(jobs, 60);
    await scheduleReconcile(jobs, 30);
    const schedulers = await queue(QUEUES.maintenance).getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({
      key: 'reconcile-every',
      name: 'reconcile',
      every: 30_000,
    });
    expect(schedulers[0]?.template?.opts).toMatchObject({ attempts: 1 });
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

  it('keeps an instance lock while its job outlives the TTL, and releases it at the end', async () => {
    const jobs = adapter();
    const timing = { ttlSeconds: 1, renewEveryMs: 250 };
    const others: boolean[] = [];
    const handler = oneJobPerInstance(
      jobs,
      async () => {
        // a long template build: three TTLs, another job knocking every half TTL
        for (let i = 0; i < 6; i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          others.push(await jobs.lock('instance:8', 'other-job', 1));
        }
        return 'built';
      },
      timing,
    );
    expect(await handler({ instanceId: 8 }, jobContext({ jobId: 'long-job' }))).toBe('built');
    expect(others).toEqual([false, false, false, false, false, false]);
    expect(await jobs.lock('instance:8', 'other-job', 1)).toBe(true);
  });

  it('hands a handler its parsed data and context, and keeps its result and progress', async () => {
    const contexts: JobContext[] = [];
    const jobs = adapter(
      stubJob('welcome', {
        handler: async (data, ctx) => {
          contexts.push(ctx);
          await ctx.progress(50);
          return { sent: (data as { instanceId: number }).instanceId };
        },
      }),
    );
    jobs.start(START);
    await jobs.enqueue('welcome', { instanceId: 9, kind: 'welcome' }, { jobId: 'welcome-9' });
    const { job, state } = await settled(QUEUES.mail, 'welcome-9');
    expect(state).toBe('completed');
    expect(job.returnvalue).toEqual({ sent: 9 });
    expect(job.progress).toBe(50);
    expect(
      contexts.map(({ jobId, attempt, finalAttempt }) => ({ jobId, attempt, finalAttempt })),
    ).toEqual([{ jobId: 'welcome-9', attempt: 1, finalAttempt: true }]);
  });

  it('two processes on one Redis run each job once, and each job names the process that ran it', async () => {
    const ran: number[] = [];
    const welcome = stubJob('welcome', {
      handler: async (data) => {
        ran.push((data as { instanceId: number }).instanceId);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return 'sent';
      },
    });
    const one = adapterWith({ outageBackoff: QUICK_OUTAGE, workerName: 'bridge-one' }, welcome);
    const two = adapterWith({ outageBackoff: QUICK_OUTAGE, workerName: 'bridge-two' }, welcome);
    const ids = Array.from({ length: 8 }, (_, i) => 20 + i);
    await Promise.all(
      ids.map((id, i) =>
        (i % 2 ? two : one).enqueue(
          'welcome',
          { instanceId: id, kind: 'welcome' },
          {
            jobId: `welcome-${id}`,
          },
        ),
      ),
    );
    one.start(START);
    two.start(START);
    const done = await Promise.all(ids.map((id) => settled(QUEUES.mail, `welcome-${id}`)));
    expect(done.map((d) => d.state)).toEqual(ids.map(() => 'completed'));
    for (const d of done) expect(['bridge-one', 'bridge-two']).toContain(d.job.processedBy);
    expect(ran.sort((a, b) => a - b)).toEqual(ids);
  });

  it('retries a transient failure by the policy, telling the handler which attempt is the last', async () => {
    const seen: [number, boolean][] = [];
    const finalFailures: string[] = [];
    const jobs = adapter(
      stubJob('provision', {
        schema: instanceJobSchema,
        attempts: 3,
        backoff: { type: 'fixed', delayMs: 50 },
        handler: async (_data, ctx) => {
          seen.push([ctx.attempt, ctx.finalAttempt]);
          throw new BridgeError('docker_failed', `engine busy (${ctx.attempt})`);
        },
        onFinalFailure: async (_data, err) => void finalFailures.push((err as Error).message),
      }),
    );
    jobs.start(START);
    await jobs.enqueue('provision', provisionData(4), { jobId: 'p4' });
    const { job, state } = await settled(QUEUES.instances, 'p4');
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(3);
    expect(job.failedReason).toBe('engine busy (3)');
    expect(seen).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(finalFailures).toEqual(['engine busy (3)']);
  });

  it('fails a permanent BridgeError at once (no retry) and runs the final-failure hook', async () => {
    const finalFailures: string[] = [];
    const jobs = adapter(
      stubJob('provision', {
        attempts: 5,
        handler: async () => {
          throw new BridgeError('subdomain_taken', 'subdomain "admin" is reserved', true);
        },
        onFinalFailure: async (_data, err) => void finalFailures.push((err as Error).message),
      }),
    );
    jobs.start(START);
    await jobs.enqueue('provision', provisionData(5), { jobId: 'p5' });
    const { job, state } = await settled(QUEUES.instances, 'p5');
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toBe('subdomain "admin" is reserved');
    expect(finalFailures).toEqual(['subdomain "admin" is reserved']);
  });

  it('runs a busy job again later without spending an attempt', async () => {
    let runs = 0;
    const jobs = adapter(
      stubJob('suspend', {
        attempts: 1,
        handler: async () => {
          runs += 1;
          if (runs <= 2) throw new BusyError(100, 'instance 6 is busy');
          return 'suspended';
        },
      }),
    );
    jobs.start(START);
    const started = Date.now();
    await jobs.enqueue('suspend', provisionData(6), { jobId: 's6' });
    const { job, state } = await settled(QUEUES.instances, 's6');
    expect(state).toBe('completed'); // with one attempt: the busy runs did not count
    expect(job.returnvalue).toBe('suspended');
    expect(job.attemptsMade).toBeLessThanOrEqual(1);
    expect(runs).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('waits out a master outage longer than all attempts, without spending them or giving up', async () => {
    let runs = 0;
    const finalFailures: unknown[] = [];
    const waits: number[] = [];
    let last = Date.now();
    const jobs = adapter(
      stubJob('provision', {
        schema: instanceJobSchema,
        attempts: 2,
        backoff: { type: 'fixed', delayMs: 10 },
        handler: async () => {
          runs += 1;
          waits.push(Date.now() - last);
          last = Date.now();
          if (runs <= 6)
            throw new BridgeError('odoo_unreachable', 'Odoo unreachable: ECONNREFUSED');
          return 'running';
        },
        onFinalFailure: async (_data, err) => void finalFailures.push(err),
      }),
    );
    jobs.start(START);
    await jobs.enqueue('provision', provisionData(10), { jobId: 'p10' });
    const { job, state } = await settled(QUEUES.instances, 'p10');
    expect(state).toBe('completed');
    expect(job.returnvalue).toBe('running');
    expect(job.attemptsMade).toBeLessThanOrEqual(1);
    expect(finalFailures).toEqual([]);
    expect(runs).toBe(7);
    // 50, 100, 200, 200, 200, 200 ms: growing, then capped
    expect(waits[2]! - waits[1]!).toBeGreaterThanOrEqual(30);
    expect(waits.slice(1).every((w) => w >= 45)).toBe(true);
  });

  it('spends attempts again on an outage that lasts beyond the give-up time', async () => {
    const finalFailures: string[] = [];
    const jobs = adapterWith(
      { outageBackoff: { firstDelayMs: 50, maxDelayMs: 50, giveUpAfterMs: 200 } },
      stubJob('provision', {
        schema: instanceJobSchema,
        attempts: 2,
        backoff: { type: 'fixed', delayMs: 10 },
        handler: async () => {
          throw new BridgeError('odoo_unreachable', 'Odoo unreachable: ECONNREFUSED');
        },
        onFinalFailure: async (_data, err) => void finalFailures.push((err as Error).message),
      }),
    );
    jobs.start(START);
    await jobs.enqueue('provision', provisionData(11), { jobId: 'p11' });
    const { job, state } = await settled(QUEUES.instances, 'p11');
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(2);
    expect(finalFailures).toEqual(['Odoo unreachable: ECONNREFUSED']);
  });

  it('fails malformed data and unknown job names at once, without calling a handler', async () => {
    let calls = 0;
    const jobs = adapter(
      stubJob('provision', {
        schema: instanceJobSchema,
        attempts: 5,
        handler: async () => ++calls,
      }),
    );
    jobs.start(START);
    await jobs.enqueue('provision', { instanceId: -1, action: 'provision' }, { jobId: 'bad-data' });
    const bad = await settled(QUEUES.instances, 'bad-data');
    expect(bad.state).toBe('failed');
    expect(bad.job.attemptsMade).toBe(1);
    expect(bad.job.failedReason).toMatch(/^malformed job data: /);

    // e.g. left in Redis by an older bridge
    await queue(QUEUES.instances).add('rename-me', {}, { jobId: 'unknown', attempts: 5 });
    const unknown = await settled(QUEUES.instances, 'unknown');
    expect(unknown.state).toBe('failed');
    expect(unknown.job.attemptsMade).toBe(1);
    expect(unknown.job.failedReason).toBe('no handler for job "rename-me" on queue instances');
    expect(calls).toBe(0);
  });

  it('closes cleanly: the running job finishes first, then Redis is let go', async () => {
    let finished = false;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const jobs = adapter(
      stubJob('reconcile', {
        handler: async () => {
          started();
          await new Promise((resolve) => setTimeout(resolve, 300));
          finished = true;
          return 'done';
        },
      }),
    );
    jobs.start(START);
    await reconcileNow(jobs, 1);
    await running;
    await jobs.close();
    expect(finished).toBe(true);
    await expect(jobs.ping()).rejects.toThrow();
    expect(await (await queue(QUEUES.maintenance).getJob('reconcile-start-1'))?.getState()).toBe(
      'completed',
    );
  });

  it('queues one job for an event sent twice (intake on Redis)', async () => {
    const jobs = adapter();
    const dedupe = new EventDedupeAdapter(REDIS_URL, prefix);
    const intake = new EventIntakeService(jobs, dedupe);
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
    const queued = await queue(QUEUES.instances).getJobs(['waiting', 'delayed', 'prioritized']);
    expect(queued.filter((j) => j.data.instanceId === 77).map((j) => [j.name, j.id])).toEqual([
      ['suspend', first.jobId],
    ]);
    await dedupe.close();
  });

  it('queues one welcome mail per instance and one reconcile provision per minute', async () => {
    const jobs = adapter();
    const minute = Date.UTC(2026, 11, 1, 20, 0, 5);
    await enqueueWelcome(jobs, 5, 'acme');
    await enqueueWelcome(jobs, 5, 'acme');
    await requestProvision(jobs, 5, minute);
    await requestProvision(jobs, 5, minute + 50_000);
    const mail = queue(QUEUES.mail);
    expect(await mail.getJobCountByTypes('waiting')).toBe(1);
    // instance 5 of a recreated master (another subdomain) is another customer: mailed too
    await enqueueWelcome(jobs, 5, 'other-co');
    expect(await mail.getJobCountByTypes('waiting')).toBe(2);
    const provisions = await queue(QUEUES.instances).getJobs(['waiting']);
    expect(provisions.filter((j) => j.data.instanceId === 5)).toHaveLength(1);
    await requestProvision(jobs, 5, minute + 60_000); // the next minute asks again
    expect(await queue(QUEUES.instances).getJobCountByTypes('waiting')).toBe(2);
  });
});

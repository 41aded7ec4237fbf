import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobQueueAdapter } from '../../src/adapters/job-queue.adapter.js';
import { BridgeError } from '../../src/errors.js';
import { Metrics } from '../../src/observability/metrics.js';
import type { LockPort } from '../../src/ports/lock.port.js';
import { QUEUES } from '../../src/queues/queue-names.js';
import type { InstanceAction } from '../../src/schemas/job.schema.js';
import { instancesProcessor } from '../../src/workers/instances.worker.js';
import { unavailable } from '../support/integration/availability.js';
import {
  deleteKeys,
  inspector,
  pingRedis,
  REDIS_URL,
  uniquePrefix,
  waitForJobState,
} from '../support/integration/redis.js';
import { buildWorld, draftInstance, namesOf, type World } from '../support/world.js';

const skip = await unavailable('Redis', pingRedis);

/** the real Redis locks, counting refusals */
class CountingLocks implements LockPort {
  refusals = 0;
  constructor(private readonly inner: LockPort) {}
  async lock(resource: string, owner: string, ttlSeconds: number): Promise<boolean> {
    const taken = await this.inner.lock(resource, owner, ttlSeconds);
    if (!taken) this.refusals += 1;
    return taken;
  }
  unlock(resource: string, owner: string): Promise<void> {
    return this.inner.unlock(resource, owner);
  }
}

const prefix = uniquePrefix('worker');
let redis: Redis;
let jobs: JobQueueAdapter;
let world: World;
let locks: CountingLocks;
let metrics: Metrics;
const failures: { id: string | undefined; name: string; message: string }[] = [];

function add(action: InstanceAction, instanceId: number, opts = {}): Promise<string> {
  const eventId = randomUUID();
  const data = { instanceId, action, eventId, eventType: 'test' };
  return jobs.add(QUEUES.instances, action, data, `${action}-${instanceId}-${eventId}`, opts);
}

const settled = (id: string) =>
  waitForJobState(jobs.queue(QUEUES.instances), id, ['completed', 'failed'], 20_000);

describe.skipIf(skip)('instances worker on a real BullMQ queue', () => {
  beforeAll(async () => {
    redis = inspector();
    await redis.connect();
  });

  beforeEach(() => {
    world = buildWorld();
    jobs = new JobQueueAdapter(REDIS_URL, prefix);
    locks = new CountingLocks(jobs);
    metrics = new Metrics();
    const processor = instancesProcessor({
      provisioning: world.provisioning,
      lifecycle: world.lifecycle,
      locks,
      metrics,
      logger: pino({ level: 'silent' }),
    });
    const worker = jobs.worker(QUEUES.instances, processor, 2);
    worker.on('failed', (job, err) =>
      failures.push({ id: job?.id, name: err.name, message: err.message }),
    );
    void worker.run();
  });

  afterEach(async () => {
    await jobs.close();
    await deleteKeys(redis, prefix);
    failures.length = 0;
  });

  afterAll(async () => {
    await redis?.quit();
  });

  it('runs one job per instance at a time: the second is delayed, then runs after the first', async () => {
    world.odoo.addInstance(draftInstance());
    world.tenant.readyDelayMs = 600; // provisioning takes a while
    const provision = await add('provision', 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const suspend = await add('suspend', 1);

    const first = await settled(provision);
    const second = await settled(suspend);
    expect(first.state).toBe('completed');
    expect(second.state).toBe('completed');
    expect(first.job.returnvalue).toMatchObject({ outcome: 'running' });
    // run at the same time, suspend would have found the instance still provisioning
    expect(second.job.returnvalue).toMatchObject({ outcome: 'suspended' });
    expect(locks.refusals).toBeGreaterThanOrEqual(1);
    expect(second.job.processedOn).toBeGreaterThanOrEqual(first.job.finishedOn ?? Infinity);
    expect(world.odoo.instance(1).state).toBe('suspended');
    expect(await redis.keys(`${prefix}:lock:*`)).toEqual([]);
  });

  it('runs jobs of different instances in parallel', async () => {
    world.odoo.addInstance(draftInstance());
    world.odoo.addInstance(draftInstance({ id: 2, subdomain: 'beta' }));
    await world.provisioning.provision(1); // builds the template first
    world.tenant.readyDelayMs = 500;
    await world.docker.stopContainer(namesOf(1).container);
    const [a, b] = [await add('provision', 1), await add('provision', 2)];
    const [ra, rb] = [await settled(a), await settled(b)];
    expect(locks.refusals).toBe(0);
    expect(rb.job.processedOn).toBeLessThan(ra.job.finishedOn ?? 0);
  });

  it('retries a transient failure and records no error when a later attempt succeeds', async () => {
    world.odoo.addInstance(draftInstance());
    world.log.failAlways('docker.createContainer', new BridgeError('docker_failed', 'engine busy'));
    setTimeout(() => world.log.clearFailures(), 300);
    const id = await add('provision', 1, { attempts: 5, backoff: { type: 'fixed', delay: 200 } });
    const { state, job } = await settled(id);
    expect(state).toBe('completed');
    expect(job.attemptsMade).toBeGreaterThanOrEqual(1);
    expect(world.odoo.statesOf(1)).toEqual(['provisioning', 'running']);
    expect(await metrics.registry.getSingleMetricAsString('saas_jobs_total')).toMatch(
      /saas_jobs_total\{name="provision",outcome="retried"\} [1-9]/,
    );
  });

  it('calls provisioning.fail after the last attempt, once', async () => {
    world.odoo.addInstance(draftInstance({ subdomain: 'beta' }));
    world.log.failAlways(
      'docker.createContainer',
      new BridgeError('docker_failed', 'engine said no'),
    );
    const id = await add('provision', 1, { attempts: 2, backoff: { type: 'fixed', delay: 50 } });
    const { state, job } = await settled(id);
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(2);
    expect(job.failedReason).toBe('engine said no');
    expect(world.odoo.statesOf(1)).toEqual(['provisioning', 'error']);
    expect(world.odoo.instance(1).lastError).toBe('engine said no');
    expect(world.db.dbs.has(namesOf(1).db)).toBe(false); // what it created is cleaned up
    expect(world.odoo.notes.filter((n) => n.body.startsWith('Provisioning failed'))).toHaveLength(
      1,
    );
  });

  it('fails a permanent error at once with UnrecoverableError, and records it', async () => {
    world.odoo.addInstance(draftInstance({ subdomain: 'admin' }));
    const id = await add('provision', 1, { attempts: 5 });
    const { state, job } = await settled(id);
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(failures).toEqual([
      { id, name: 'UnrecoverableError', message: 'subdomain "admin" is reserved' },
    ]);
    expect(world.odoo.instance(1)).toMatchObject({
      state: 'error',
      lastError: 'subdomain "admin" is reserved',
    });
  });

  it('does not record a failed suspend as a provisioning error', async () => {
    world.odoo.addInstance(draftInstance({ state: 'running' }));
    world.log.failAlways('docker.stopContainer', new BridgeError('docker_failed', 'cannot stop'));
    const id = await add('suspend', 1, { attempts: 1 });
    expect((await settled(id)).state).toBe('failed');
    expect(world.odoo.instance(1).state).toBe('running');
  });

  it('refuses malformed job data with UnrecoverableError', async () => {
    const id = await jobs.add(
      QUEUES.instances,
      'provision',
      { instanceId: -1, action: 'provision' },
      'bad-data',
      {
        attempts: 5,
      },
    );
    const { state, job } = await settled(id);
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(failures[0]).toMatchObject({ name: 'UnrecoverableError' });
    expect(failures[0]?.message).toMatch(/^malformed job data: /);
  });
});

import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobQueueAdapter } from '../../src/adapters/job-queue.adapter.js';
import { BridgeError } from '../../src/errors.js';
import { buildRegistry } from '../../src/jobs/registry.js';
import { Metrics } from '../../src/observability/metrics.js';
import { QUEUES, type JobBackoff, type JobRegistry } from '../../src/ports/jobs.port.js';
import type { LockPort } from '../../src/ports/lock.port.js';
import type { InstanceAction } from '../../src/schemas/job.schema.js';
import { unavailable } from '../support/integration/availability.js';
import {
  deleteKeys,
  inspector,
  inspectQueue,
  pingRedis,
  REDIS_URL,
  uniquePrefix,
  waitForJobState,
} from '../support/integration/redis.js';
import { worldJobDeps } from '../support/jobs.js';
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

/** the registry with another retry policy on every job (the real ones wait seconds between tries) */
function withPolicy(registry: JobRegistry, attempts: number, backoff: JobBackoff): JobRegistry {
  return new Map([...registry].map(([name, d]) => [name, { ...d, attempts, backoff }]));
}

const prefix = uniquePrefix('instance-jobs');
let redis: Redis;
let instances: Queue;
let jobs: JobQueueAdapter;
let world: World;
let locks: CountingLocks;
let metrics: Metrics;

/** the real jobs of the bridge, on the world's services, with Redis locks and a real queue */
function startJobs(policy?: { attempts: number; backoff: JobBackoff }): void {
  const { deps } = worldJobDeps(world, { locks, metrics });
  const registry = buildRegistry(deps);
  jobs.register(policy ? withPolicy(registry, policy.attempts, policy.backoff) : registry);
  jobs.start({ instances: 2, mail: 1, maintenance: 1, backups: 1 });
}

function add(action: InstanceAction, instanceId: number): Promise<string> {
  const eventId = randomUUID();
  const data = { instanceId, action, eventId, eventType: 'test' };
  return jobs.enqueue(action, data, { jobId: `${action}-${instanceId}-${eventId}` });
}

const settled = (id: string) => waitForJobState(instances, id, ['completed', 'failed'], 20_000);

describe.skipIf(skip)('the instance jobs on a real BullMQ queue', () => {
  beforeAll(async () => {
    redis = inspector();
    await redis.connect();
    instances = inspectQueue(QUEUES.instances, prefix);
  });

  beforeEach(() => {
    world = buildWorld();
    jobs = new JobQueueAdapter(REDIS_URL, { prefix });
    locks = new CountingLocks(jobs);
    metrics = new Metrics();
  });

  afterEach(async () => {
    await jobs.close();
    await deleteKeys(redis, prefix);
  });

  afterAll(async () => {
    await instances?.close();
    await redis?.quit();
  });

  it('runs one job per instance at a time: the second is delayed, then runs after the first', async () => {
    startJobs();
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
    expect(second.job.attemptsMade).toBeLessThanOrEqual(1); // waiting was no attempt
    expect(second.job.processedOn).toBeGreaterThanOrEqual(first.job.finishedOn ?? Infinity);
    expect(world.odoo.instance(1).state).toBe('suspended');
    expect(await redis.keys(`${prefix}:lock:*`)).toEqual([]);
    const counted = await metrics.registry.getSingleMetricAsString('saas_jobs_total');
    expect(counted).toMatch(/saas_jobs_total\{name="suspend",outcome="completed"\} 1$/m);
    expect(counted).not.toMatch(/name="suspend",outcome="(retried|failed)"/);
    expect(
      await metrics.registry.getSingleMetricAsString('saas_provision_duration_seconds'),
    ).toMatch(/saas_provision_duration_seconds_count 1$/m);
  });

  it('runs jobs of different instances in parallel', async () => {
    startJobs();
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
    startJobs({ attempts: 5, backoff: { type: 'fixed', delayMs: 200 } });
    world.odoo.addInstance(draftInstance());
    world.log.failAlways('docker.createContainer', new BridgeError('docker_failed', 'engine busy'));
    setTimeout(() => world.log.clearFailures(), 300);
    const id = await add('provision', 1);
    const { state, job } = await settled(id);
    expect(state).toBe('completed');
    expect(job.attemptsMade).toBeGreaterThanOrEqual(1);
    expect(world.odoo.statesOf(1)).toEqual(['provisioning', 'running']);
    expect(await metrics.registry.getSingleMetricAsString('saas_jobs_total')).toMatch(
      /saas_jobs_total\{name="provision",outcome="retried"\} [1-9]/,
    );
  });

  it('calls provisioning.fail after the last attempt, once', async () => {
    startJobs({ attempts: 2, backoff: { type: 'fixed', delayMs: 50 } });
    world.odoo.addInstance(draftInstance({ subdomain: 'beta' }));
    world.log.failAlways(
      'docker.createContainer',
      new BridgeError('docker_failed', 'engine said no'),
    );
    const id = await add('provision', 1);
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
    expect(await metrics.registry.getSingleMetricAsString('saas_jobs_total')).toMatch(
      /saas_jobs_total\{name="provision",outcome="failed"\} 1$/m,
    );
  });

  it('fails a permanent error at once, and records it', async () => {
    startJobs();
    world.odoo.addInstance(draftInstance({ subdomain: 'admin' }));
    const id = await add('provision', 1);
    const { state, job } = await settled(id);
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1); // of 5
    expect(job.failedReason).toBe('subdomain "admin" is reserved');
    expect(world.odoo.instance(1)).toMatchObject({
      state: 'error',
      lastError: 'subdomain "admin" is reserved',
    });
  });

  it('does not record a failed suspend as a provisioning error', async () => {
    startJobs({ attempts: 1, backoff: { type: 'fixed', delayMs: 50 } });
    world.odoo.addInstance(draftInstance({ state: 'running' }));
    world.log.failAlways('docker.stopContainer', new BridgeError('docker_failed', 'cannot stop'));
    const id = await add('suspend', 1);
    expect((await settled(id)).state).toBe('failed');
    expect(world.odoo.instance(1).state).toBe('running');
  });
});

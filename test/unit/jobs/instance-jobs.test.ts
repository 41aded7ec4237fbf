import { describe, expect, it } from 'vitest';
import { BridgeError, BusyError } from '../../../src/errors.js';
import { BUSY_RETRY_MS } from '../../../src/jobs/instance-lock.js';
import { buildRegistry } from '../../../src/jobs/registry.js';
import type { JobName } from '../../../src/ports/jobs.port.js';
import { jobContext, worldJobDeps } from '../../support/jobs.js';
import { draftInstance, worldWithInstance, type World } from '../../support/world.js';

function jobsOf(world: World) {
  const { deps } = worldJobDeps(world);
  const registry = buildRegistry(deps);
  const run = (name: JobName, instanceId = 1, ctx = jobContext()) => {
    const definition = registry.get(name);
    if (!definition) throw new Error(`no ${name}`);
    const data = definition.schema.parse({
      instanceId,
      action: name,
      eventId: 'e1',
      eventType: 'test',
    });
    return definition.handler(data, ctx);
  };
  const counts = () => deps.metrics.registry.getSingleMetricAsString('saas_jobs_total');
  return { registry, run, counts, metrics: deps.metrics };
}

describe('the instance jobs', () => {
  it('provision runs provisioning and answers its outcome', async () => {
    const world = await worldWithInstance();
    const { run, metrics } = jobsOf(world);
    expect(await run('provision')).toMatchObject({ outcome: 'running', ms: expect.any(Number) });
    expect(world.odoo.instance(1).state).toBe('running');
    expect(
      await metrics.registry.getSingleMetricAsString('saas_provision_duration_seconds'),
    ).toMatch(/_count 1$/m);
  });

  it.each([
    ['suspend', 'running', 'suspended', 'suspended'],
    ['terminate', 'running', 'terminated', 'terminated'],
    ['paid', 'suspended', 'running', 'running'],
    ['reactivate', 'suspended', 'running', 'running'],
  ] as const)('%s of a %s instance runs the lifecycle (%s)', async (name, from, outcome, state) => {
    const world = await worldWithInstance({}, true);
    if (from === 'suspended') await world.lifecycle.suspend(1);
    const { run } = jobsOf(world);
    expect(await run(name)).toMatchObject({ outcome });
    expect(world.odoo.instance(1).state).toBe(state);
  });

  it('a provisioning attempt that will be retried says so on the instance, not a silent provisioning', async () => {
    const world = await worldWithInstance();
    world.docker.startContainer = async () => {
      throw new BridgeError('docker_failed', 'docker start: engine busy');
    };
    const { run } = jobsOf(world);
    await expect(run('provision', 1, jobContext({ attempt: 2 }))).rejects.toThrow(/engine busy/);
    expect(world.odoo.patches.at(-1)?.patch.last_error).toBe(
      'attempt 2 failed, retrying: docker start: engine busy',
    );
  });

  it('is busy while another job holds the instance, and leaves that lock alone', async () => {
    const world = await worldWithInstance();
    await world.locks.lock('instance:1', 'other-job');
    const { run, counts } = jobsOf(world);
    const busy = run('provision', 1, jobContext({ jobId: 'mine' }));
    await expect(busy).rejects.toBeInstanceOf(BusyError);
    await expect(busy).rejects.toMatchObject({ retryInMs: BUSY_RETRY_MS });
    expect(world.odoo.statesOf(1)).toEqual([]); // nothing ran
    expect(world.locks.held.get('instance:1')).toBe('other-job');
    expect(await counts()).not.toMatch(/outcome=/); // a busy job did not run: not counted
  });

  it('takes its own lock again (a resumed job) and frees it afterwards, also on failure', async () => {
    const world = await worldWithInstance({ state: 'running' });
    await world.locks.lock('instance:1', 'job-7');
    const { run } = jobsOf(world);
    await run('suspend', 1, jobContext({ jobId: 'job-7' }));
    expect(world.locks.held.size).toBe(0);
    world.odoo.addInstance(draftInstance({ id: 2, subdomain: 'beta', state: 'running' }));
    world.log.failAlways('docker.stopContainer', new BridgeError('docker_failed', 'no'));
    await expect(run('suspend', 2)).rejects.toThrow('no');
    expect(world.locks.held.size).toBe(0);
  });

  it('runs different instances at once', async () => {
    const world = await worldWithInstance();
    world.odoo.addInstance(draftInstance({ id: 2, subdomain: 'beta' }));
    const { run } = jobsOf(world);
    const both = await Promise.all([
      run('provision', 1, jobContext({ jobId: 'a' })),
      run('provision', 2, jobContext({ jobId: 'b' })),
    ]);
    // neither was busy (only the shared template's lock made one wait inside provisioning)
    expect(both.map((r) => (r as { outcome: string }).outcome)).toEqual(['running', 'running']);
  });

  it('counts a failure as retried, and as failed on the last attempt or when permanent', async () => {
    const world = await worldWithInstance({ state: 'running' });
    world.log.failAlways('docker.stopContainer', new BridgeError('docker_failed', 'no'));
    const { run, counts } = jobsOf(world);
    await expect(run('suspend')).rejects.toThrow();
    await expect(run('suspend', 1, jobContext({ finalAttempt: true }))).rejects.toThrow();
    world.log.failAlways('docker.stopContainer', new BridgeError('docker_failed', 'never', true));
    await expect(run('suspend')).rejects.toThrow();
    const text = await counts();
    expect(text).toMatch(/\{name="suspend",outcome="retried"\} 1$/m);
    expect(text).toMatch(/\{name="suspend",outcome="failed"\} 2$/m);
  });

  it.each(['provision', 'paid'] as const)(
    "%s's final failure is recorded on the instance",
    async (name) => {
      const world = await worldWithInstance({ state: 'provisioning' });
      const hook = jobsOf(world).registry.get(name)?.onFinalFailure;
      await hook?.({ instanceId: 1 }, new BridgeError('docker_failed', 'engine said no'));
      expect(world.odoo.instance(1)).toMatchObject({ state: 'error', lastError: 'engine said no' });
    },
  );

  it.each(['suspend', 'reactivate', 'terminate'] as const)(
    '%s has no final-failure hook (its failure is no provisioning error)',
    async (name) => {
      const { registry } = jobsOf(await worldWithInstance());
      expect(registry.get(name)?.onFinalFailure).toBeUndefined();
    },
  );

  it('refuses data without a positive instance id', async () => {
    const { registry } = jobsOf(await worldWithInstance());
    const parsed = registry.get('provision')?.schema.safeParse({ instanceId: -1 });
    expect(parsed?.success).toBe(false);
  });
});

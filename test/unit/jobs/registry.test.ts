import { describe, expect, it } from 'vitest';
import { buildRegistry, checkRegistry, JobRegistryError } from '../../../src/jobs/registry.js';
import { JOBS, type JobName } from '../../../src/ports/jobs.port.js';
import { registryOf, stubJob, worldJobDeps } from '../../support/jobs.js';
import { buildWorld } from '../../support/world.js';

const DECLARED = Object.values(JOBS).flat() as JobName[];

describe('the job registry', () => {
  it('has one handler for every declared job, on its declared queue', () => {
    const registry = buildRegistry(worldJobDeps(buildWorld()).deps);
    expect([...registry.keys()].sort()).toEqual([...DECLARED].sort());
    for (const [queue, names] of Object.entries(JOBS))
      for (const name of names) expect(registry.get(name)?.queue).toBe(queue);
    expect(() => checkRegistry(registry)).not.toThrow();
  });

  it('refuses two handlers for one job', () => {
    const { deps } = worldJobDeps(buildWorld());
    expect(() => buildRegistry(deps, [stubJob('welcome'), stubJob('welcome')])).toThrow(
      'job "welcome" has two handlers',
    );
  });
});

describe('the start-up self-check', () => {
  it('names a declared job without a handler, in one line', () => {
    const registry = registryOf(DECLARED.filter((n) => n !== 'terminate'));
    expect(() => checkRegistry(registry)).toThrow(JobRegistryError);
    expect(() => checkRegistry(registry)).toThrow(
      /^job registry does not match JOBS: no handler for job instances\/terminate$/,
    );
  });

  it('names a handler on another queue than its job is declared on', () => {
    const registry = registryOf([
      ...DECLARED.filter((n) => n !== 'welcome'),
      stubJob('welcome', { queue: 'maintenance' }),
    ]);
    expect(() => checkRegistry(registry)).toThrow(
      'job welcome is declared on mail but its handler is on maintenance',
    );
  });

  it('names a handler no declared job has, and every problem at once', () => {
    const registry = registryOf(DECLARED.filter((n) => n !== 'reconcile'));
    const declared = { ...JOBS, mail: [] };
    expect(() => checkRegistry(registry, declared)).toThrow(
      'job registry does not match JOBS: no handler for job maintenance/reconcile; ' +
        'handler for undeclared job mail/welcome',
    );
  });
});

import { spawn } from 'node:child_process';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRegistry } from '../../src/jobs/registry.js';
import { startBridge, type Bridge, type RunningBridge } from '../../src/lifecycle.js';
import { JOBS, type JobName } from '../../src/ports/jobs.port.js';
import { FakeJobQueue } from '../support/fakes/fake-job-queue.js';
import { registryOf, worldJobDeps } from '../support/jobs.js';
import { buildWorld } from '../support/world.js';
import { buildApp } from './http/app-fixture.js';

const MISSING_LINE =
  'saas-bridge: failed to start: job registry does not match JOBS: no handler for job instances/terminate';

function bridge(overrides: Partial<Bridge> = {}) {
  const jobs = new FakeJobQueue();
  let closed = false;
  const value: Bridge = {
    app: buildApp().app,
    jobs,
    registry: buildRegistry(worldJobDeps(buildWorld()).deps),
    concurrency: { instances: 3, mail: 2, maintenance: 1, backups: 1 },
    http: { port: 0, host: '127.0.0.1' },
    reconcileIntervalSeconds: 45,
    schedules: [],
    logger: pino({ level: 'silent' }),
    facts: {},
    async close() {
      jobs.calls.push('bridge.close');
      closed = true;
    },
    ...overrides,
  };
  return { bridge: value, jobs, closed: () => closed };
}

let running: RunningBridge | undefined;
afterEach(async () => {
  await running?.stop('test');
  running = undefined;
});

describe('startBridge', () => {
  it('listens, starts the workers, schedules the reconciler, reconciles and warms templates', async () => {
    const { bridge: b, jobs } = bridge();
    running = await startBridge(b);
    expect(jobs.calls).toEqual([
      'start',
      'every reconcile',
      'enqueue reconcile',
      'enqueue warm-templates',
      'enqueue replenish-spares',
    ]);
    expect(jobs.concurrency).toEqual({ instances: 3, mail: 2, maintenance: 1, backups: 1 });
    expect(jobs.schedulers.get('reconcile')).toEqual({ everyMs: 45_000, data: {} });
  });

  it('stops in order: HTTP, then the workers and queues, then the rest', async () => {
    const { bridge: b, jobs, closed } = bridge();
    const started = await startBridge(b);
    await started.stop('SIGTERM');
    expect(jobs.calls.slice(-2)).toEqual(['close', 'bridge.close']);
    expect(closed()).toBe(true);
  });

  it('does not start when a declared job has no handler, saying which in one line', async () => {
    const names = (Object.values(JOBS).flat() as JobName[]).filter((n) => n !== 'terminate');
    const { bridge: b, jobs } = bridge({ registry: registryOf(names) });
    await expect(startBridge(b)).rejects.toThrow(
      MISSING_LINE.replace('saas-bridge: failed to start: ', ''),
    );
    expect(jobs.calls).toEqual([]); // no worker, no job queued
  });
});

describe('the bridge process', () => {
  it('exits 1 with one line on stderr when a declared job has no handler', async () => {
    const fixture = path.join(import.meta.dirname, 'fixtures', 'start-without-handler.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, stderr, stdout }).toEqual({ code: 1, stderr: `${MISSING_LINE}\n`, stdout: '' });
  });
});

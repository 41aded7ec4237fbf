/**
 * DockerAdapter.updateLimits and logTail against the real engine, on a small test container: a plan
 * change raises memory and CPU of a running container without restarting it, a stopped one stays
 * stopped, and the log tail answers the container's last lines.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerAdapter } from '../../src/adapters/docker.adapter.js';
import type { ContainerSpec } from '../../src/ports/docker.port.js';
import { logFigure, unavailable } from '../support/integration/availability.js';
import { docker } from '../support/integration/run.js';
import { ensureTestImage, TEST_IMAGE } from '../support/integration/test-image.js';

const adapter = new DockerAdapter(process.env.DOCKER_SOCKET ?? '/var/run/docker.sock');
const skip = await unavailable('Docker engine', () => adapter.ping());
const run = randomBytes(3).toString('hex');
const LABEL = `it.run=${run}`;

function spec(name: string): ContainerSpec {
  return {
    name: `it-limits-${run}-${name}`,
    image: TEST_IMAGE,
    cmd: [
      'sh',
      '-c',
      'trap "exit 0" TERM; for i in 1 2 3 4 5; do echo line $i; done; sleep 600 & wait',
    ],
    labels: { 'saas.managed': 'true', 'it.run': run },
    memoryMb: 64,
    cpus: 0.5,
    binds: [],
    network: 'none',
    restart: 'no',
  };
}

async function limits(name: string) {
  const [info] = JSON.parse(await docker('inspect', name)) as {
    HostConfig: { Memory: number; MemorySwap: number; NanoCpus: number };
    State: { StartedAt: string; Status: string };
  }[];
  if (!info) throw new Error(`docker inspect ${name}: nothing`);
  return {
    memoryMb: info.HostConfig.Memory / 1024 / 1024,
    swapMb: info.HostConfig.MemorySwap / 1024 / 1024,
    cpus: info.HostConfig.NanoCpus / 1e9,
    startedAt: info.State.StartedAt,
    status: info.State.Status,
  };
}

describe.skipIf(skip)('DockerAdapter limits and logs against the real engine', () => {
  beforeAll(async () => {
    await ensureTestImage();
  });

  afterAll(async () => {
    for (const c of await adapter.listContainers(LABEL)) await adapter.removeContainer(c.name);
  });

  it('raises memory and CPU of a running container live', async () => {
    const { name } = await adapter.createContainer(spec('live'));
    await adapter.startContainer(name);
    const before = await limits(name);
    const started = Date.now();
    expect(await adapter.updateLimits(name, { memoryMb: 128, cpus: 1 })).toBe('live');
    const after = await limits(name);
    expect(after).toMatchObject({ memoryMb: 128, swapMb: 128, cpus: 1, status: 'running' });
    expect(after.startedAt).toBe(before.startedAt);
    logFigure(
      `docker update ${before.memoryMb} -> ${after.memoryMb} MB live in ${Date.now() - started} ms`,
    );
    // and down again
    expect(await adapter.updateLimits(name, { memoryMb: 96, cpus: 0.5 })).toBe('live');
    expect(await limits(name)).toMatchObject({ memoryMb: 96, cpus: 0.5 });
  });

  it('updates a stopped container without starting it', async () => {
    const { name } = await adapter.createContainer(spec('stopped'));
    expect(await adapter.updateLimits(name, { memoryMb: 128, cpus: 1 })).toBe('live');
    expect(await limits(name)).toMatchObject({ memoryMb: 128, status: 'created' });
  });

  it('answers the last lines of the log, and fails for a missing container', async () => {
    const { name } = await adapter.createContainer(spec('logs'));
    await adapter.startContainer(name);
    let tail = '';
    for (let i = 0; i < 50 && !tail.includes('line 5'); i += 1) {
      tail = await adapter.logTail(name, 2);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(tail).toBe('line 4\nline 5\n');
    await expect(adapter.logTail(`it-limits-${run}-none`, 2)).rejects.toMatchObject({
      code: 'docker_failed',
    });
    await expect(
      adapter.updateLimits(`it-limits-${run}-none`, { memoryMb: 64, cpus: 1 }),
    ).rejects.toMatchObject({ code: 'docker_failed' });
  });
});

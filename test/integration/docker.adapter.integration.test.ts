import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerAdapter } from '../../src/adapters/docker.adapter.js';
import type { ContainerSpec } from '../../src/ports/docker.port.js';
import { unavailable, waitFor } from '../support/integration/availability.js';
import { httpGet } from '../support/integration/net.js';
import { docker } from '../support/integration/run.js';
import { ensureTestImage, TEST_IMAGE } from '../support/integration/test-image.js';

const SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
const adapter = new DockerAdapter(SOCKET);
const skip = await unavailable('Docker engine', () => adapter.ping());

const run = randomBytes(3).toString('hex');
const NETWORK = `it-saas-net-${run}`;
const SUBNET = '172.31.250.0/24';
const LABEL = `it.run=${run}`;

function spec(name: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name: `it-saas-${run}-${name}`,
    image: TEST_IMAGE,
    // httpd as PID 1 would ignore SIGTERM and make every stop wait its 10 s grace time
    cmd: ['sh', '-c', 'trap "exit 0" TERM; httpd -f -p 8069 -h /www & wait'],
    labels: { 'saas.managed': 'true', 'it.run': run, 'saas.instance': name },
    memoryMb: 64,
    cpus: 0.5,
    binds: [],
    network: NETWORK,
    restart: 'unless-stopped',
    ...overrides,
  };
}

interface Inspected {
  Id: string;
  Config: { Labels: Record<string, string> };
  HostConfig: {
    Memory: number;
    MemorySwap: number;
    NanoCpus: number;
    RestartPolicy: { Name: string };
    CapDrop: string[];
    LogConfig: { Type: string; Config: Record<string, string> };
  };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

async function inspect(name: string): Promise<Inspected> {
  const [info] = JSON.parse(await docker('inspect', name)) as Inspected[];
  if (!info) throw new Error(`docker inspect ${name}: nothing`);
  return info;
}

describe.skipIf(skip)('DockerAdapter against the real engine', () => {
  beforeAll(async () => {
    await ensureTestImage();
  });

  afterAll(async () => {
    for (const c of await adapter.listContainers(LABEL)) await adapter.removeContainer(c.name);
    await docker('network', 'rm', NETWORK).catch(() => undefined);
  });

  it('answers the image id, or undefined for a missing image', async () => {
    expect(await adapter.imageId(TEST_IMAGE)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await adapter.imageId(`it-no-such-image:${run}`)).toBeUndefined();
  });

  it('creates the tenant network once, isolated, and answers its gateway every time', async () => {
    expect(await adapter.ensureNetwork(NETWORK, SUBNET)).toEqual({ gateway: '172.31.250.1' });
    expect(await adapter.ensureNetwork(NETWORK, SUBNET)).toEqual({ gateway: '172.31.250.1' });
    const ids = await docker(
      'network',
      'ls',
      '--filter',
      `name=^${NETWORK}$`,
      '--format',
      '{{.ID}}',
    );
    expect(ids.split('\n')).toHaveLength(1);
    const options = JSON.parse(
      await docker('network', 'inspect', '--format', '{{json .Options}}', NETWORK),
    );
    expect(options).toMatchObject({ 'com.docker.network.bridge.enable_icc': 'false' });
  });

  it('creates a container with labels and limits, starts it on the network, and it serves HTTP', async () => {
    await adapter.ensureNetwork(NETWORK, SUBNET);
    const created = await adapter.createContainer(spec('web'));
    expect(created).toMatchObject({ name: `it-saas-${run}-web`, status: 'created', ip: undefined });
    expect(created.labels).toMatchObject({ 'it.run': run, 'saas.instance': 'web' });

    const info = await inspect(created.name);
    expect(info.HostConfig).toMatchObject({
      Memory: 64 * 1024 * 1024,
      MemorySwap: 64 * 1024 * 1024,
      NanoCpus: 500_000_000,
      RestartPolicy: { Name: 'unless-stopped' },
      CapDrop: ['ALL'],
      // a chatty tenant cannot fill the host's disk with its log
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    });

    const started = await adapter.startContainer(created.name);
    expect(started.status).toBe('running');
    expect(started.ip).toMatch(/^172\.31\.250\.\d+$/);
    expect((await inspect(created.name)).NetworkSettings.Networks[NETWORK]?.IPAddress).toBe(
      started.ip,
    );

    const answer = await waitFor('httpd in the container', 10_000, async () => {
      const res = await httpGet(`http://${started.ip}:8069/web/login`);
      return res.status === 200 ? res : undefined;
    });
    expect(answer.body).toContain('Login | Odoo');
    expect((await httpGet(`http://${started.ip}:8069/`)).status).toBe(200);
  });

  it('answers the existing container when created twice (409)', async () => {
    await adapter.ensureNetwork(NETWORK, SUBNET);
    const first = await adapter.createContainer(spec('twice'));
    const second = await adapter.createContainer(spec('twice', { memoryMb: 128 }));
    expect(second.id).toBe(first.id);
    const named = await docker(
      'ps',
      '-a',
      '--filter',
      `name=^it-saas-${run}-twice$`,
      '--format',
      '{{.ID}}',
    );
    expect(named.split('\n')).toHaveLength(1);
  });

  it('stops, starts and removes idempotently', async () => {
    await adapter.ensureNetwork(NETWORK, SUBNET);
    const { name } = await adapter.createContainer(spec('cycle'));
    await adapter.startContainer(name);
    expect((await adapter.startContainer(name)).status).toBe('running'); // 304: already running
    await adapter.stopContainer(name);
    await adapter.stopContainer(name); // 304: already stopped
    const stopped = await adapter.findContainer(name);
    expect(stopped?.status).toBe('exited');
    expect(stopped?.ip).toBeUndefined();
    const again = await adapter.startContainer(name);
    expect(again.status).toBe('running');
    expect(again.ip).toMatch(/^172\.31\.250\./);
    await adapter.removeContainer(name); // running: removed by force
    await adapter.removeContainer(name); // 404
    await adapter.stopContainer(name); // 404
    expect(await adapter.findContainer(name)).toBeUndefined();
    await expect(adapter.startContainer(name)).rejects.toMatchObject({ code: 'docker_failed' });
  });

  it('lists containers by label, running or not', async () => {
    await adapter.ensureNetwork(NETWORK, SUBNET);
    const stopped = await adapter.createContainer(spec('listed-a'));
    const running = await adapter.createContainer(spec('listed-b'));
    await adapter.startContainer(running.name);
    const listed = await adapter.listContainers(LABEL);
    const byName = new Map(listed.map((c) => [c.name, c]));
    expect(byName.get(stopped.name)).toMatchObject({ status: 'created', ip: undefined });
    expect(byName.get(running.name)?.status).toBe('running');
    expect(byName.get(running.name)?.ip).toMatch(/^172\.31\.250\./);
    expect(byName.get(running.name)?.labels['it.run']).toBe(run);
    expect(await adapter.listContainers(`it.run=${run}-none`)).toEqual([]);
  });

  it('runs a one-shot container to its end: exit code, logs, and it is gone', async () => {
    await adapter.ensureNetwork(NETWORK, SUBNET);
    const oneShot = spec('oneshot', {
      cmd: ['sh', '-c', 'echo hello-from-run; echo to-stderr >&2; exit 3'],
      restart: 'no',
    });
    const result = await adapter.runToCompletion(oneShot, 30_000);
    expect(result.exitCode).toBe(3);
    expect(result.logs).toContain('hello-from-run');
    expect(result.logs).toContain('to-stderr');
    expect(await adapter.findContainer(oneShot.name)).toBeUndefined();
    expect((await adapter.runToCompletion({ ...oneShot, cmd: ['true'] }, 30_000)).exitCode).toBe(0);
  });

  it('gives up on a one-shot container after its timeout and removes it', async () => {
    await adapter.ensureNetwork(NETWORK, SUBNET);
    const slow = spec('slow', { cmd: ['sleep', '60'], restart: 'no' });
    await expect(adapter.runToCompletion(slow, 1_000)).rejects.toMatchObject({
      code: 'docker_failed',
    });
    expect(await adapter.findContainer(slow.name)).toBeUndefined();
  });

  it('reports an unreachable engine as docker_failed', async () => {
    await expect(new DockerAdapter('/nonexistent/docker.sock').ping()).rejects.toMatchObject({
      code: 'docker_failed',
    });
  });
});

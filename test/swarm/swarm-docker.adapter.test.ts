/**
 * SwarmDockerAdapter against the local 3-node Swarm of scripts/swarm (npm run test:swarm brings it
 * up, pushes saas-test-http:1 to its registry and takes it down again). Tenants here are the 2 MB
 * test image, not Odoo: what is under test is the service life, placement, and a lost node.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwarmDockerAdapter } from '../../src/adapters/swarm-docker.adapter.js';
import { BridgeError } from '../../src/errors.js';
import { SwarmWatchService } from '../../src/services/swarm-watch.service.js';
import pino from 'pino';
import type { ContainerSpec } from '../../src/ports/docker.port.js';
import { unavailable, waitFor } from '../support/integration/availability.js';
import { httpGet } from '../support/integration/net.js';
import { docker, run } from '../support/integration/run.js';

const SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
const OVERLAY = process.env.SWARM_NETWORK ?? 'saas-swarm-tenants';
const OVERLAY_PREFIX = '10.232.';
const IMAGE = `${process.env.SWARM_REGISTRY ?? '10.231.0.1:5000'}/saas-test-http:1`;
const adapter = new SwarmDockerAdapter(SOCKET, { unschedulableMs: 3_000, startTimeoutMs: 120_000 });
const skip = await unavailable('Swarm manager (npm run test:swarm)', () => adapter.ping());

const run_ = randomBytes(3).toString('hex');
const made: string[] = [];

function spec(name: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  const full = `it-swarm-${run_}-${name}`;
  made.push(full);
  return {
    name: full,
    image: IMAGE,
    // a line on start gives the log test something to read; httpd as PID 1 would ignore SIGTERM
    cmd: ['sh', '-c', 'echo "tenant up"; trap "exit 0" TERM; httpd -f -p 8069 -h /www & wait'],
    labels: { 'saas.managed': 'true', 'it.run': run_, 'saas.instance': name },
    memoryMb: 64,
    cpus: 0.5,
    binds: [],
    network: OVERLAY,
    restart: 'unless-stopped',
    ...overrides,
  };
}

interface ServiceInspect {
  Spec: {
    Mode: { Replicated: { Replicas: number } };
    EndpointSpec: { Mode: string };
    TaskTemplate: {
      ContainerSpec: { Args: string[]; CapabilityDrop?: string[]; Labels: Record<string, string> };
      Resources: {
        Limits: { MemoryBytes: number; NanoCPUs: number; Pids?: number };
        Reservations: { MemoryBytes: number };
      };
      RestartPolicy: { Condition: string };
      Placement: { Constraints?: string[] };
    };
  };
}

async function inspectService(name: string): Promise<ServiceInspect> {
  const [info] = JSON.parse(await docker('service', 'inspect', name)) as ServiceInspect[];
  if (!info) throw new Error(`docker service inspect ${name}: nothing`);
  return info;
}

async function workers(): Promise<string[]> {
  const out = await docker('node', 'ls', '--filter', 'role=worker', '--format', '{{.Hostname}}');
  return out.split('\n').filter(Boolean).sort();
}

describe.skipIf(skip)('SwarmDockerAdapter on a 3-node Swarm', () => {
  beforeAll(async () => {
    expect((await workers()).length).toBeGreaterThanOrEqual(2);
  });

  afterAll(async () => {
    for (const name of made) await adapter.removeContainer(name).catch(() => undefined);
    for (const node of await workers().catch(() => []))
      await docker('node', 'update', '--label-rm', 'saas.plan', node).catch(() => undefined);
  });

  it('refuses a bridge network as the tenant network, saying why', async () => {
    const err = await adapter.ensureNetwork('bridge', '172.17.0.0/16').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as Error).message).toMatch(/bridge network; Swarm mode needs an overlay/);
  });

  it('keeps the overlay and reads its gateway', async () => {
    const { gateway } = await adapter.ensureNetwork(OVERLAY, '10.232.16.0/20');
    expect(gateway.startsWith(OVERLAY_PREFIX)).toBe(true);
  });

  it('creates a tenant as a stopped one-replica service with its limits, then runs it', async () => {
    const s = spec('life', { reservedMemoryMb: 32 });
    const created = await adapter.createContainer(s);
    expect(created).toMatchObject({ name: s.name, status: 'created', ip: undefined });
    expect(created.labels['it.run']).toBe(run_);
    // a retried create finds the same service
    expect((await adapter.createContainer(s)).id).toBe(created.id);

    const info = await inspectService(s.name);
    expect(info.Spec.Mode.Replicated.Replicas).toBe(0);
    expect(info.Spec.EndpointSpec.Mode).toBe('dnsrr');
    const task = info.Spec.TaskTemplate;
    expect(task.ContainerSpec.Args).toEqual(s.cmd);
    expect(task.ContainerSpec.CapabilityDrop).toEqual(['ALL']);
    expect(task.ContainerSpec.Labels['saas.instance']).toBe('life');
    expect(task.Resources.Limits).toMatchObject({ MemoryBytes: 64 * 2 ** 20, NanoCPUs: 5e8 });
    expect(task.Resources.Reservations.MemoryBytes).toBe(32 * 2 ** 20);
    expect(task.RestartPolicy.Condition).toBe('any');

    const running = await adapter.startContainer(s.name);
    expect(running.status).toBe('running');
    expect(running.ip?.startsWith(OVERLAY_PREFIX)).toBe(true);
    expect(running.node).toBeTruthy();
    // this host reaches the task at its overlay address, as the bridge and Caddy must
    expect((await httpGet(`http://${running.ip}:8069/`)).status).toBe(200);
    expect((await inspectService(s.name)).Spec.Mode.Replicated.Replicas).toBe(1);
    // per-node headroom (/metrics): the tenant's reservation counts on its node, the manager takes none
    const nodes = await adapter.nodes();
    const its = nodes.find((n) => n.name === running.node);
    expect(its).toMatchObject({ ready: true, takesTenants: true });
    expect(its!.tenants).toBeGreaterThanOrEqual(1);
    expect(its!.reservedMemoryBytes).toBeGreaterThanOrEqual(32 * 2 ** 20);
    expect(its!.memoryBytes).toBeGreaterThan(its!.reservedMemoryBytes);
    expect(nodes.filter((n) => !n.takesTenants).length).toBe(1);

    const listed = await adapter.listContainers(`it.run=${run_}`);
    expect(listed.map((c) => [c.name, c.status, c.ip])).toContainEqual([
      s.name,
      'running',
      running.ip,
    ]);
    await waitFor('the log line', 30_000, async () =>
      (await adapter.logTail(s.name, 20)).includes('tenant up') ? true : undefined,
    );

    expect(await adapter.updateLimits(s.name, { memoryMb: 96, cpus: 1 })).toBe('restarted');
    expect((await inspectService(s.name)).Spec.TaskTemplate.Resources.Limits).toMatchObject({
      MemoryBytes: 96 * 2 ** 20,
      NanoCPUs: 1e9,
    });
    const again = await waitFor('the updated task', 60_000, async () => {
      const c = await adapter.findContainer(s.name);
      return c?.status === 'running' && c.ip ? c : undefined;
    });
    expect((await httpGet(`http://${again.ip}:8069/`)).status).toBe(200);

    await adapter.stopContainer(s.name);
    const stopped = await adapter.findContainer(s.name);
    expect(stopped).toMatchObject({ status: 'exited', ip: undefined });
    expect((await inspectService(s.name)).Spec.Mode.Replicated.Replicas).toBe(0);

    await adapter.removeContainer(s.name);
    expect(await adapter.findContainer(s.name)).toBeUndefined();
    await adapter.removeContainer(s.name); // gone already: no error
    await adapter.stopContainer(s.name);
  });

  it('keeps nodes labelled for a plan to that plan', async () => {
    const [reserved, other] = await workers();
    const plan = `pro${run_}`;
    await docker('node', 'update', '--label-add', `saas.plan=${plan}`, reserved!);
    try {
      const pro = spec('pro', {
        labels: { 'saas.managed': 'true', 'it.run': run_, 'saas.plan': plan },
      });
      await adapter.createContainer(pro);
      expect((await inspectService(pro.name)).Spec.TaskTemplate.Placement.Constraints).toEqual([
        'node.labels.saas.tenants!=no',
        `node.labels.saas.plan==${plan}`,
      ]);
      expect((await adapter.startContainer(pro.name)).node).toBe(reserved);

      const basic = spec('basic', {
        labels: { 'saas.managed': 'true', 'it.run': run_, 'saas.plan': `basic${run_}` },
      });
      await adapter.createContainer(basic);
      expect((await inspectService(basic.name)).Spec.TaskTemplate.Placement.Constraints).toEqual([
        'node.labels.saas.tenants!=no',
        `node.labels.saas.plan!=${plan}`,
      ]);
      expect((await adapter.startContainer(basic.name)).node).not.toBe(reserved);
      expect(other).toBeTruthy();
    } finally {
      await docker('node', 'update', '--label-rm', 'saas.plan', reserved!);
    }
  });

  it('says no node can take a tenant whose reservation fits nowhere, and scales it back', async () => {
    const huge = spec('huge', { memoryMb: 4 * 1024 * 1024, reservedMemoryMb: 4 * 1024 * 1024 });
    await adapter.createContainer(huge);
    const err = await adapter.startContainer(huge.name).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('capacity_exhausted');
    expect((err as Error).message).toMatch(/no node can take it: .*insufficient resources/i);
    expect((await inspectService(huge.name)).Spec.Mode.Replicated.Replicas).toBe(0);
  });

  it('says why a task whose image no node can pull never runs', async () => {
    const missing = spec('noimage', { image: `${IMAGE.split('/')[0]}/saas-no-such-image:1` });
    await adapter.createContainer(missing);
    const err = await adapter.startContainer(missing.name).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as Error).message).toMatch(
      /its task (rejected|failed): .*(no such image|not found|manifest unknown)/i,
    );
    expect((await inspectService(missing.name)).Spec.Mode.Replicated.Replicas).toBe(0);
  });

  it('runs one-shot jobs on the manager, attached to the overlay, pulling the image first', async () => {
    await docker('image', 'rm', IMAGE).catch(() => undefined);
    expect(await adapter.imageId(IMAGE)).toMatch(/^sha256:/);
    await docker('image', 'rm', IMAGE);
    const result = await adapter.runToCompletion(
      spec('oneshot', { cmd: ['sh', '-c', 'echo one-shot-done; exit 3'], restart: 'no' }),
      60_000,
    );
    expect(result.exitCode).toBe(3);
    expect(result.logs).toContain('one-shot-done');
    const err = await adapter
      .runToCompletion(spec('nopull', { image: `${IMAGE}-missing`, restart: 'no' }), 10_000)
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/neither on the manager nor pullable/);
  });

  it('moves a tenant to a named node, refusing nodes that cannot take it', async () => {
    const s = spec('move');
    await adapter.createContainer(s);
    const before = await adapter.startContainer(s.name);
    const other = (await workers()).find((w) => w !== before.node)!;
    const t0 = Date.now();
    const after = await adapter.moveTo(s.name, other);
    console.error(`swarm: moved ${before.node} -> ${after.node} in ${Date.now() - t0} ms`);
    expect(after).toMatchObject({ status: 'running', node: other });
    expect(after.ip).not.toBe(before.ip);
    expect((await httpGet(`http://${after.ip}:8069/`)).status).toBe(200);
    expect((await inspectService(s.name)).Spec.TaskTemplate.Placement.Constraints).toContain(
      `node.hostname==${other}`,
    );

    const unknown = await adapter.moveTo(s.name, 'no-such-node').catch((e: unknown) => e);
    expect((unknown as BridgeError).code).toBe('bad_request');
    expect((unknown as Error).message).toMatch(/no Swarm node is named "no-such-node"/);
    // a node without room for a tenant's reservation: refused before the tenant is stopped
    const nodeMemory = (await adapter.nodes()).find((n) => n.name === before.node)!.memoryBytes;
    const big = spec('bigmove', { reservedMemoryMb: nodeMemory / 2 ** 20 + 1 });
    await adapter.createContainer(big);
    const full = await adapter.moveTo(big.name, before.node!).catch((e: unknown) => e);
    expect((full as BridgeError).code).toBe('capacity_exhausted');
    expect((full as Error).message).toMatch(/MiB unreserved; .* reserves \d+ MiB/);
    // a stopped tenant is only pinned: it starts on that node when it starts
    const stopped = spec('pinned');
    await adapter.createContainer(stopped);
    expect((await adapter.moveTo(stopped.name, other)).status).toBe('created');
    expect((await adapter.startContainer(stopped.name)).node).toBe(other);
    const manager = (await adapter.nodes()).find((n) => !n.takesTenants)!.name;
    const refused = await adapter.moveTo(s.name, manager).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/takes no tenants now/);
    // refused moves changed nothing
    expect((await adapter.findContainer(s.name))?.node).toBe(other);
  });

  it("starts a lost node's tenant on another node, at a new address", async () => {
    const s = spec('moves');
    await adapter.createContainer(s);
    const before = await adapter.startContainer(s.name);
    const node = before.node!;
    // the bridge's watch (DOCKER_MODE=swarm) asks for a reconcile pass when it sees the new address
    let reconciles = 0;
    const watch = new SwarmWatchService({
      docker: adapter,
      reconcileNow: async () => void reconciles++,
      logger: pino({ level: 'silent' }),
    });
    await watch.pass();
    expect(await workers()).toContain(node);
    const t0 = Date.now();
    await docker('kill', node);
    try {
      const after = await waitFor('the task on another node', 120_000, async () => {
        const c = await adapter.findContainer(s.name);
        return c?.status === 'running' && c.node !== node && c.ip ? c : undefined;
      });
      console.error(
        `swarm: ${node} killed, tenant running on ${after.node} after ${Date.now() - t0} ms`,
      );
      expect((await httpGet(`http://${after.ip}:8069/`)).status).toBe(200);
      expect((await watch.pass()).moved).toContain(s.name);
      expect(reconciles).toBe(1);
    } finally {
      await run(new URL('../../scripts/swarm', import.meta.url).pathname, [
        'add-node',
        node.replace(/^saas-swarm-node-/, ''),
      ]);
    }
  }, 240_000);
});

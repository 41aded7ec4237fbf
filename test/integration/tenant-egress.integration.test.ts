/**
 * scripts/tenant-egress on a network of its own: a container there reaches an allowed port and not a
 * disallowed one of a listener that sits off the Docker networks (a network namespace on this
 * machine, so the traffic is forwarded like egress but never leaves the machine), and still reaches
 * the host itself (where PostgreSQL listens). Needs root, iptables and Docker; heavy-ish (seconds).
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unavailable, waitFor } from '../support/integration/availability.js';
import { docker, run } from '../support/integration/run.js';
import { ensureTestImage, TEST_IMAGE } from '../support/integration/test-image.js';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/tenant-egress');
const id = randomBytes(3).toString('hex');
const SUBNET = '172.31.250.0/24';
const GATEWAY = '172.31.250.1';
const NETWORK = `saas-egress-test-${id}`;
const NS = `saas-egress-${id}`;
const VETH = `vse${id}`;
const HOST_IP = '10.251.77.1';
const LISTENER_IP = '10.251.77.2';
const listeners: ChildProcess[] = [];

const skip = await unavailable('iptables, ip netns and Docker (as root)', async () => {
  await run('iptables', ['-w', '-S', 'DOCKER-USER']);
  await run('ip', ['netns', 'list']);
  await docker('version');
  await ensureTestImage();
});

/** can a container on the test network open TCP to host:port (busybox nc: 0 once connected, 3 s) */
async function reaches(host: string, port: number): Promise<boolean> {
  const out = await docker(
    'run',
    '--rm',
    '--network',
    NETWORK,
    '--entrypoint',
    'sh',
    TEST_IMAGE,
    '-c',
    `if nc -w 3 ${host} ${port} </dev/null; then echo open; else echo closed; fi`,
  );
  return out === 'open';
}

/** a TCP listener on ip:port, in the namespace or (without one) on the host */
function listen(ip: string, port: number, namespace?: string): void {
  const code = `import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("${ip}", ${port})); s.listen(16)\nwhile True: s.accept()[0].close()`;
  const child = namespace
    ? spawn('ip', ['netns', 'exec', namespace, 'python3', '-c', code])
    : spawn('python3', ['-c', code]);
  listeners.push(child);
}

describe.skipIf(skip)('tenant egress rules (scripts/tenant-egress)', () => {
  beforeAll(async () => {
    await run('ip', ['netns', 'add', NS]);
    await run('ip', ['link', 'add', VETH, 'type', 'veth', 'peer', 'name', `${VETH}p`]);
    await run('ip', ['link', 'set', `${VETH}p`, 'netns', NS]);
    await run('ip', ['addr', 'add', `${HOST_IP}/30`, 'dev', VETH]);
    await run('ip', ['link', 'set', VETH, 'up']);
    const inNs = (...args: string[]) => run('ip', ['netns', 'exec', NS, 'ip', ...args]);
    await inNs('addr', 'add', `${LISTENER_IP}/30`, 'dev', `${VETH}p`);
    await inNs('link', 'set', `${VETH}p`, 'up');
    await inNs('link', 'set', 'lo', 'up');
    await inNs('route', 'add', 'default', 'via', HOST_IP);
    listen(LISTENER_IP, 443, NS);
    listen(LISTENER_IP, 9999, NS);
    await docker(
      'network',
      'create',
      '--subnet',
      SUBNET,
      '--gateway',
      GATEWAY,
      '--opt',
      'com.docker.network.bridge.enable_icc=false',
      NETWORK,
    );
    listen(GATEWAY, 9998); // the host, as PostgreSQL listens on the tenant gateway
    // the listeners answer before any rule: what the rules change is what the tests see
    await waitFor('the listeners', 10_000, async () =>
      (await reaches(LISTENER_IP, 9999)) ? true : undefined,
    );
  }, 60_000);

  afterAll(async () => {
    await run(SCRIPT, ['remove', SUBNET]).catch(() => undefined);
    listeners.forEach((l) => l.kill());
    await docker('network', 'rm', NETWORK).catch(() => undefined);
    await run('ip', ['link', 'del', VETH]).catch(() => undefined);
    await run('ip', ['netns', 'del', NS]).catch(() => undefined);
  });

  it('allow (the default): the allowed TCP port passes, any other is refused, the host stays reachable', async () => {
    await run(SCRIPT, ['apply', SUBNET]);
    expect(await reaches(LISTENER_IP, 443)).toBe(true);
    expect(await reaches(LISTENER_IP, 9999)).toBe(false);
    // the host itself (PostgreSQL listens there for tenants) is INPUT, not egress: any port
    expect(await reaches(GATEWAY, 9998)).toBe(true);
    await run(SCRIPT, ['apply', SUBNET]); // applying twice leaves one jump
    const jumps = (await run('iptables', ['-w', '-S', 'DOCKER-USER']))
      .split('\n')
      .filter((r) => r.includes(SUBNET));
    expect(jumps).toHaveLength(1);
  }, 60_000);

  it('none refuses every port; open lets every one through; remove leaves no rule', async () => {
    await run(SCRIPT, ['apply', SUBNET, 'none']);
    expect(await reaches(LISTENER_IP, 443)).toBe(false);
    await run(SCRIPT, ['apply', SUBNET, 'open']);
    expect(await reaches(LISTENER_IP, 9999)).toBe(true);
    await run(SCRIPT, ['remove', SUBNET]);
    expect(await run('iptables', ['-w', '-S', 'DOCKER-USER'])).not.toContain(SUBNET);
  }, 60_000);

  it("the platform's mail relay passes exactly: its host and port, not another port of it", async () => {
    // the relay on 9999, only HTTPS besides: SMTP goes through the relay and nowhere else
    await run(SCRIPT, ['apply', SUBNET, 'allow', '443', `${LISTENER_IP}:9999`]);
    expect(await reaches(LISTENER_IP, 9999)).toBe(true);
    await run(SCRIPT, ['apply', SUBNET, 'none', '443', `${LISTENER_IP}:9999`]);
    expect(await reaches(LISTENER_IP, 9999)).toBe(true);
    expect(await reaches(LISTENER_IP, 443)).toBe(false);
    await expect(
      run(SCRIPT, ['apply', SUBNET, 'none', '443', 'relay.example.com']),
    ).rejects.toThrow('RELAY must be IP:PORT, not relay.example.com');
  }, 60_000);

  it('refuses a bad policy or port with a clear message', async () => {
    await expect(run(SCRIPT, ['apply', SUBNET, 'sometimes'])).rejects.toThrow(
      'POLICY must be allow, open or none, not sometimes',
    );
    await expect(run(SCRIPT, ['apply', SUBNET, 'allow', '443 x'])).rejects.toThrow(
      'PORTS must be numbers, not x',
    );
  });
});

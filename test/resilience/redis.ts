/**
 * The resilience stack's own Redis (E2E.redisPort), with the settings of the machine's one
 * (append-only file, no eviction: scripts/lib/settings.sh): fault 2 restarts it, which the shared
 * Redis of the other stacks on this machine must never be.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { E2E } from '../e2e/support/stack.js';

const dir = path.join(E2E.stackDir, 'redis');
let child: ChildProcess | undefined;

export const ownRedisUrl = `redis://127.0.0.1:${E2E.redisPort}/${E2E.redisDb}`;

/** starts it (state kept in the stack dir across restarts: what AOF must bring back) */
export async function startOwnRedis(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  child = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(E2E.redisPort),
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
      '--logfile',
      path.join(dir, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
  const started = child;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (started.exitCode !== null) throw new Error(`redis-server exited ${started.exitCode}`);
    const probe = new Redis(ownRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined); // refused until it listens
    const ok = await probe
      .connect()
      .then(() => probe.ping())
      .then(() => true)
      .catch(() => false);
    probe.disconnect();
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`no Redis on port ${E2E.redisPort} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** SHUTDOWN (the AOF is flushed, as on a service restart); resolves once the process is gone */
export async function stopOwnRedis(): Promise<void> {
  const running = child;
  if (!running || running.exitCode !== null) return;
  const gone = new Promise((resolve) => running.once('exit', resolve));
  const client = new Redis(ownRedisUrl, { maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  await client.call('SHUTDOWN').catch(() => undefined); // the connection drops as it goes
  client.disconnect();
  const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

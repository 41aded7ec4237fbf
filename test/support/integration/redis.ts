import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { waitFor } from './availability.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** a client for looking at keys directly; fails at once when Redis is away */
export function inspector(): Redis {
  const redis = new Redis(REDIS_URL, {
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  redis.on('error', () => undefined);
  return redis;
}

export async function pingRedis(): Promise<void> {
  const redis = inspector();
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    // ioredis says only "Connection is closed."; name where we looked (without any credentials)
    const { hostname, port } = new URL(REDIS_URL);
    throw new Error(`no answer at ${hostname}:${port || 6379} (${(err as Error).message})`, {
      cause: err,
    });
  } finally {
    redis.disconnect();
  }
}

/** a key prefix of its own for one test file's run */
export function uniquePrefix(name: string): string {
  return `it-${name}-${randomUUID().slice(0, 8)}`;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** waits until the job reaches one of `states` (completed, failed...) and answers it */
export async function waitForJobState(
  queue: Queue,
  id: string,
  states: string[],
  timeoutMs = 15_000,
) {
  return waitFor(`job ${id} to be ${states.join('|')}`, timeoutMs, async () => {
    const state = await queue.getJobState(id);
    if (!states.includes(state)) return undefined;
    const job = await queue.getJob(id); // read after the state, so it holds the result
    return job ? { job, state } : undefined;
  });
}

/** the queue `name` under `prefix`, to look at jobs as BullMQ keeps them; the caller closes it */
export function inspectQueue(name: string, prefix: string): Queue {
  const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix });
  queue.on('error', () => undefined);
  return queue;
}

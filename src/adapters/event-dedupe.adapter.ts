import { once } from 'node:events';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX } from './job-queue.adapter.js';
import type { ClaimState, EventDedupePort } from '../ports/event-dedupe.port.js';

const PENDING = 'pending';
const DONE = 'done';

/**
 * Event-id claims in Redis. Same keys as the job queue's former seen-marks
 * (`<prefix>:seen:<key>`), so ids remembered before an upgrade stay duplicates.
 */
export class EventDedupeAdapter implements EventDedupePort {
  private readonly redis: Redis;

  constructor(
    redisUrl: string,
    private readonly prefix = QUEUE_PREFIX,
  ) {
    // like the queue's producer: fail fast while Redis is away, the master resends later
    this.redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 3 });
    this.redis.on('error', () => undefined); // reported through failing calls
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const redis = await this.connected();
    return (await redis.set(this.keyOf(key), PENDING, 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  async settle(key: string, ttlSeconds: number): Promise<void> {
    await (await this.connected()).set(this.keyOf(key), DONE, 'EX', ttlSeconds);
  }

  async release(key: string): Promise<void> {
    // only a pending claim: a settled one must keep answering "duplicate"
    await (
      await this.connected()
    ).eval(
      `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`,
      1,
      this.keyOf(key),
      PENDING,
    );
  }

  async stateOf(key: string): Promise<ClaimState | undefined> {
    const value = await (await this.connected()).get(this.keyOf(key));
    if (value === null) return undefined;
    // anything else ('1' of the older seen-marks included) means the job was queued
    return value === PENDING ? 'pending' : 'done';
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private keyOf(key: string): string {
    return `${this.prefix}:seen:${key}`;
  }

  /** Without an offline queue, a command sent before the first connection is up fails: wait for it. */
  private async connected(): Promise<Redis> {
    if (this.redis.status === 'connecting' || this.redis.status === 'connect') {
      await once(this.redis, 'ready', { signal: AbortSignal.timeout(10_000) });
    }
    return this.redis;
  }
}

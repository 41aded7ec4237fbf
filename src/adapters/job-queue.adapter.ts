import { once } from 'node:events';
import {
  DelayedError,
  Queue,
  UnrecoverableError,
  Worker,
  type Job,
  type JobsOptions,
} from 'bullmq';
import { Redis } from 'ioredis';
import { BridgeError } from '../errors.js';
import type { QueueName } from '../queues/queue-names.js';

export { DelayedError, UnrecoverableError, type Job };

export type Processor = (job: Job, token: string | undefined) => Promise<unknown>;

const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  // finished jobs stay a week for Bull Board and deduplication by jobId, then go
  removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** The only code that talks to Redis: BullMQ queues and workers, event ids seen, per-instance locks. */
export class JobQueueAdapter {
  private readonly producer: Redis;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  private readonly workerConnections: Redis[] = [];

  constructor(
    private readonly redisUrl: string,
    private readonly prefix = 'saas',
  ) {
    // BullMQ's production guide: producers fail fast instead of queueing commands while Redis is away
    this.producer = new Redis(redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 3,
      lazyConnect: false,
    });
    this.producer.on('error', () => undefined); // reported through ping() and failing calls
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.producer,
        prefix: this.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  allQueues(): Queue[] {
    return [...this.queues.values()];
  }

  async ping(): Promise<void> {
    const answer = await (await this.connected()).ping();
    if (answer !== 'PONG') throw new BridgeError('internal', `Redis answered ${answer} to PING`);
  }

  async add(
    queue: QueueName,
    name: string,
    data: object,
    jobId: string,
    opts: JobsOptions = {},
  ): Promise<string> {
    const job = await this.queue(queue).add(name, data, { ...opts, jobId });
    return job.id ?? jobId;
  }

  /** Repeats `name` every `seconds` (idempotent: one scheduler per name). */
  async every(queue: QueueName, name: string, seconds: number): Promise<void> {
    await this.queue(queue).upsertJobScheduler(
      `${name}-every`,
      { every: seconds * 1000 },
      { name, data: {} },
    );
  }

  worker(queue: QueueName, processor: Processor, concurrency: number): Worker {
    // BullMQ's production guide: workers wait for Redis forever instead of failing commands
    const connection = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    this.workerConnections.push(connection);
    const worker = new Worker(queue, processor, {
      connection,
      prefix: this.prefix,
      concurrency,
      // a job whose process died is found again within ~20 s (defaults: 30 s lock, 30 s checks), and
      // may stall a few times (repeated crashes) before BullMQ gives up on it
      lockDuration: 15_000,
      stalledInterval: 5_000,
      maxStalledCount: 3,
      autorun: false,
    });
    this.workers.push(worker);
    return worker;
  }

  async wasSeen(key: string): Promise<boolean> {
    return (await (await this.connected()).exists(`${this.prefix}:seen:${key}`)) === 1;
  }

  async markSeen(key: string, ttlSeconds: number): Promise<void> {
    await (await this.connected()).set(`${this.prefix}:seen:${key}`, '1', 'EX', ttlSeconds);
  }

  /** A lock per resource; the same owner may take it again (a stalled job resumed after a crash). */
  async lock(resource: string, owner: string, ttlSeconds: number): Promise<boolean> {
    const key = `${this.prefix}:lock:${resource}`;
    const taken = await (await this.connected()).set(key, owner, 'EX', ttlSeconds, 'NX');
    if (taken === 'OK') return true;
    if ((await this.producer.get(key)) === owner) {
      await this.producer.expire(key, ttlSeconds);
      return true;
    }
    return false;
  }

  async unlock(resource: string, owner: string): Promise<void> {
    // delete only our own lock: compare-and-delete in one step
    await (
      await this.connected()
    ).eval(
      `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`,
      1,
      `${this.prefix}:lock:${resource}`,
      owner,
    );
  }

  /**
   * The producer fails fast while Redis is away (no offline queue), but its first connection takes a
   * moment: a command sent before it is up failed with "Stream isn't writeable". Wait for that one.
   */
  private async connected(): Promise<Redis> {
    if (this.producer.status === 'connecting' || this.producer.status === 'connect') {
      await once(this.producer, 'ready', { signal: AbortSignal.timeout(10_000) });
    }
    return this.producer;
  }

  /** Shutdown order: workers finish their current jobs, then queues close, then Redis. */
  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await Promise.allSettled(this.workerConnections.map((c) => c.quit()));
    await this.producer.quit().catch(() => this.producer.disconnect());
  }
}

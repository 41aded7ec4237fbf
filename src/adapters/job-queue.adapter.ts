import { once } from 'node:events';
import { hostname } from 'node:os';
import {
  DelayedError,
  Queue,
  UnrecoverableError,
  Worker,
  type Job,
  type JobsOptions,
} from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { BridgeError, BusyError, errorMessage, isOutage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import {
  QUEUES,
  type EnqueueOptions,
  type JobContext,
  type JobDefinition,
  type JobName,
  type JobQueuePort,
  type JobRegistry,
  type JobWorkersPort,
  type QueueName,
} from '../ports/jobs.port.js';
import type { LockPort } from '../ports/lock.port.js';

// finished jobs stay a week for Bull Board and deduplication by jobId, then go
const RETENTION: JobsOptions = {
  removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export interface OutageBackoff {
  /** the first wait after an outage error; each next one doubles */
  firstDelayMs: number;
  maxDelayMs: number;
  /** a job still meeting the outage this long after it began spends attempts again */
  giveUpAfterMs: number;
}

/** minutes, not the ~30 s of a job's attempts: a master restart or upgrade is waited out */
export const OUTAGE_BACKOFF: OutageBackoff = {
  firstDelayMs: 5_000,
  maxDelayMs: 5 * 60_000,
  giveUpAfterMs: 24 * 3600_000,
};

/** the bridge's Redis key prefix (the queues, seen event ids, locks); tests set their own */
export const QUEUE_PREFIX = 'saas';

export interface JobQueueOptions {
  /** Redis key prefix; tests use their own */
  prefix?: string;
  logger?: Logger;
  outageBackoff?: OutageBackoff;
  /** this process's name on the jobs it runs (BullMQ's processedBy, Bull Board): which bridge ran what */
  workerName?: string;
}

/** host and pid: bridges on one Redis, on one machine or several, each tell which jobs they ran */
export function defaultWorkerName(): string {
  return `bridge@${hostname()}:${process.pid}`;
}

/**
 * The only code that talks to Redis and BullMQ: queues, workers, event ids seen, per-resource locks.
 * Job handlers know nothing of BullMQ; this maps what they throw onto it (see run()).
 */
export class JobQueueAdapter implements JobQueuePort, JobWorkersPort, LockPort {
  private readonly producer: Redis;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly definitions = new Map<JobName, JobDefinition>();
  private readonly workers: Worker[] = [];
  private readonly workerConnections: Redis[] = [];
  private readonly outageBackoff: OutageBackoff;
  private readonly workerName: string;
  /** per job meeting an outage: when it began and the last wait (this process; a restart starts over) */
  private readonly outages = new Map<string, { since: number; delayMs: number }>();

  constructor(
    private readonly redisUrl: string,
    options: JobQueueOptions = {},
  ) {
    this.prefix = options.prefix ?? QUEUE_PREFIX;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.outageBackoff = options.outageBackoff ?? OUTAGE_BACKOFF;
    this.workerName = options.workerName ?? defaultWorkerName();
    // BullMQ's production guide: producers fail fast instead of queueing commands while Redis is away
    this.producer = new Redis(redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 3,
      lazyConnect: false,
    });
    this.producer.on('error', () => undefined); // reported through ping() and failing calls
  }

  /** The definitions whose jobs this process queues and runs (their retry policy is applied here). */
  register(registry: JobRegistry): void {
    for (const [name, definition] of registry) this.definitions.set(name, definition);
  }

  async enqueue(name: JobName, data: object, options: EnqueueOptions): Promise<string> {
    const definition = this.definitionOf(name);
    const job = await this.queue(definition.queue).add(name, data, {
      ...this.policyOf(definition),
      jobId: options.jobId,
      delay: options.delayMs,
    });
    return job.id ?? options.jobId;
  }

  async every(name: JobName, everyMs: number, data: object): Promise<void> {
    const definition = this.definitionOf(name);
    await this.queue(definition.queue).upsertJobScheduler(
      `${name}-every`,
      { every: everyMs },
      { name, data, opts: this.policyOf(definition) },
    );
  }

  /** One worker per queue that has registered jobs. */
  start(concurrency: Record<QueueName, number>): void {
    const queues = new Set([...this.definitions.values()].map((d) => d.queue));
    for (const queue of queues) {
      // BullMQ's production guide: workers wait for Redis forever instead of failing commands
      const connection = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
      connection.on('error', () => undefined);
      this.workerConnections.push(connection);
      const worker = new Worker(queue, (job, token) => this.run(queue, job, token), {
        connection,
        prefix: this.prefix,
        name: this.workerName,
        concurrency: concurrency[queue],
        // a job whose process died is found again within ~20 s (defaults: 30 s lock, 30 s checks),
        // and may stall a few times (repeated crashes) before BullMQ gives up on it
        lockDuration: 15_000,
        stalledInterval: 5_000,
        maxStalledCount: 3,
        autorun: false,
      });
      worker.on('error', (err) => this.logger.error({ queue, err }, 'worker error'));
      this.workers.push(worker);
      void worker.run();
    }
  }

  /**
   * Runs one job: data checked against the definition's schema, then its handler. A permanent
   * BridgeError (or bad data, or an unknown name) fails at once; a BusyError, or an outage (isOutage)
   * waited out with a growing delay, puts the job back for later without spending an attempt;
   * anything else is retried by the definition's policy.
   */
  private async run(queue: QueueName, job: Job, token: string | undefined): Promise<unknown> {
    const definition = this.definitions.get(job.name as JobName);
    if (!definition || definition.queue !== queue)
      throw new UnrecoverableError(`no handler for job "${job.name}" on queue ${queue}`);
    const parsed = definition.schema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`malformed job data: ${parsed.error.issues[0]?.message}`);
    const jobId = job.id ?? `${job.name}-${Date.now()}`;
    const attempt = job.attemptsMade + 1;
    const logger = this.logger.child({ queue, job: jobId, name: job.name });
    const ctx: JobContext = {
      jobId,
      attempt,
      finalAttempt: attempt >= (job.opts.attempts ?? 1),
      logger,
      progress: (pct) => job.updateProgress(pct),
    };
    try {
      const result = await definition.handler(parsed.data, ctx);
      this.outages.delete(jobId);
      return result;
    } catch (err) {
      if (err instanceof BusyError) {
        await job.moveToDelayed(Date.now() + err.retryInMs, token);
        throw new DelayedError(err.message);
      }
      const waitMs = isOutage(err) ? this.outageWait(jobId) : undefined;
      if (waitMs !== undefined) {
        logger.warn({ attempt, waitMs, err: errorMessage(err) }, 'outage: job waits');
        await job.moveToDelayed(Date.now() + waitMs, token);
        throw new DelayedError(errorMessage(err));
      }
      this.outages.delete(jobId);
      const permanent = err instanceof BridgeError && err.permanent;
      const final = permanent || ctx.finalAttempt;
      logger.warn({ data: parsed.data, attempt, final, err }, 'job failed');
      if (final && definition.onFinalFailure) {
        await definition
          .onFinalFailure(parsed.data, err)
          .catch((hookErr: unknown) =>
            logger.error({ err: hookErr }, 'the final-failure hook failed too'),
          );
      }
      if (permanent) throw new UnrecoverableError(errorMessage(err));
      throw err;
    }
  }

  /** The next wait of a job meeting an outage, or undefined once it has lasted too long. */
  private outageWait(jobId: string): number | undefined {
    const { firstDelayMs, maxDelayMs, giveUpAfterMs } = this.outageBackoff;
    const now = Date.now();
    const seen = this.outages.get(jobId);
    if (seen && now - seen.since >= giveUpAfterMs) {
      this.outages.delete(jobId);
      return undefined;
    }
    const delayMs = seen ? Math.min(seen.delayMs * 2, maxDelayMs) : firstDelayMs;
    this.outages.set(jobId, { since: seen?.since ?? now, delayMs });
    return delayMs;
  }

  /** The queues of every declared job, for Bull Board. */
  allQueues(): Queue[] {
    return Object.values(QUEUES).map((name) => this.queue(name));
  }

  async ping(): Promise<void> {
    const answer = await (await this.connected()).ping();
    if (answer !== 'PONG') throw new BridgeError('internal', `Redis answered ${answer} to PING`);
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

  /** Shutdown order: workers finish their current jobs, then queues close, then Redis. */
  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await Promise.allSettled(this.workerConnections.map((c) => c.quit()));
    await this.producer.quit().catch(() => this.producer.disconnect());
  }

  private queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.producer, prefix: this.prefix });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  private definitionOf(name: JobName): JobDefinition {
    const definition = this.definitions.get(name);
    if (!definition) throw new BridgeError('internal', `job "${name}" is not registered`);
    return definition;
  }

  private policyOf(definition: JobDefinition): JobsOptions {
    const { attempts, backoff } = definition;
    const options: JobsOptions = { ...RETENTION, attempts };
    if (backoff) options.backoff = { type: backoff.type, delay: backoff.delayMs };
    return options;
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
}

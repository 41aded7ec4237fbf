import { BusyError, errorMessage } from '../errors.js';
import type { JobContext, JobHandler } from '../ports/jobs.port.js';
import type { LockPort } from '../ports/lock.port.js';

export interface InstanceLockTiming {
  /** how long a lock outlives a job that stopped renewing it (its process died) */
  ttlSeconds: number;
  /** how often a running job extends its lock: well inside the TTL */
  renewEveryMs: number;
}

/**
 * Short, and renewed while the job runs: a template wait + build can outlast any fixed TTL, and a
 * crashed job's lock lapses within a minute (its own retry takes it back at once: same owner).
 */
export const INSTANCE_LOCK: InstanceLockTiming = { ttlSeconds: 60, renewEveryMs: 15_000 };
export const BUSY_RETRY_MS = 2_000;

/** oneJobPerInstance bound to the bridge's locks, as the backup jobs receive it */
export type InstanceLockWrapper = <D extends { instanceId: number }, R>(
  handler: JobHandler<D, R>,
) => JobHandler<D, R>;

/**
 * One job per instance at a time (different instances run in parallel): a job that finds its
 * instance held by another one is busy and runs again a little later, without using an attempt.
 */
export function oneJobPerInstance<D extends { instanceId: number }, R>(
  locks: LockPort,
  handler: JobHandler<D, R>,
  timing: InstanceLockTiming = INSTANCE_LOCK,
): JobHandler<D, R> {
  return async (data, ctx) => {
    const resource = `instance:${data.instanceId}`;
    // the job id is the owner: a stalled job resumed after a crash takes its own lock again
    if (!(await locks.lock(resource, ctx.jobId, timing.ttlSeconds)))
      throw new BusyError(BUSY_RETRY_MS, `instance ${data.instanceId} is busy with another job`);
    const stopRenewing = keepRenewing(locks, resource, ctx, timing);
    try {
      return await handler(data, ctx);
    } finally {
      stopRenewing();
      await locks.unlock(resource, ctx.jobId);
    }
  };
}

/** Extends the lock every `renewEveryMs` until the returned function is called. */
function keepRenewing(
  locks: LockPort,
  resource: string,
  ctx: JobContext,
  timing: InstanceLockTiming,
): () => void {
  const timer = setInterval(() => {
    locks.lock(resource, ctx.jobId, timing.ttlSeconds).then(
      (held) => {
        // only after a pause longer than the TTL (a frozen process): say so, the job cannot undo it
        if (!held) ctx.logger.error({ resource }, 'lost the instance lock to another job');
      },
      (err: unknown) =>
        ctx.logger.warn({ resource, err: errorMessage(err) }, 'could not renew the instance lock'),
    );
  }, timing.renewEveryMs);
  timer.unref();
  return () => clearInterval(timer);
}

import { BusyError } from '../errors.js';
import type { JobHandler } from '../ports/jobs.port.js';
import type { LockPort } from '../ports/lock.port.js';

/** longer than any single job; a crashed job's lock is taken over by its own retry (same owner) */
export const INSTANCE_LOCK_TTL_S = 15 * 60;
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
): JobHandler<D, R> {
  return async (data, ctx) => {
    const resource = `instance:${data.instanceId}`;
    // the job id is the owner: a stalled job resumed after a crash takes its own lock again
    if (!(await locks.lock(resource, ctx.jobId, INSTANCE_LOCK_TTL_S)))
      throw new BusyError(BUSY_RETRY_MS, `instance ${data.instanceId} is busy with another job`);
    try {
      return await handler(data, ctx);
    } finally {
      await locks.unlock(resource, ctx.jobId);
    }
  };
}

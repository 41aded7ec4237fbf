import { DelayedError, UnrecoverableError, type Job } from '../adapters/job-queue.adapter.js';
import { BridgeError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { LockPort } from '../ports/lock.port.js';
import { instanceJobSchema } from '../schemas/job.schema.js';
import type { LifecycleService } from '../services/lifecycle.service.js';
import type { ProvisioningService } from '../services/provisioning.service.js';

/** longer than any single job; a crashed job's lock is taken over by its own retry (same owner) */
const LOCK_TTL_S = 15 * 60;
const BUSY_RETRY_MS = 2_000;

export interface InstancesWorkerDeps {
  provisioning: ProvisioningService;
  lifecycle: LifecycleService;
  locks: LockPort;
  metrics: Metrics;
  logger: Logger;
}

/** One job per instance at a time; different instances run in parallel (the worker's concurrency). */
export function instancesProcessor(deps: InstancesWorkerDeps) {
  return async (job: Job, token: string | undefined): Promise<unknown> => {
    const parsed = instanceJobSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`malformed job data: ${parsed.error.issues[0]?.message}`);
    const { instanceId, action } = parsed.data;
    const owner = job.id ?? `${job.name}-${instanceId}`;
    if (!(await deps.locks.lock(`instance:${instanceId}`, owner, LOCK_TTL_S))) {
      await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
      throw new DelayedError();
    }
    const started = Date.now();
    try {
      const outcome = await run(deps, action, instanceId);
      if (outcome === 'running' && action !== 'suspend')
        deps.metrics.provisionSeconds.observe((Date.now() - started) / 1000);
      deps.metrics.jobs.inc({ name: action, outcome: 'completed' });
      return { outcome, ms: Date.now() - started };
    } catch (err) {
      const permanent = err instanceof BridgeError && err.permanent;
      const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      deps.logger.warn(
        { instance: instanceId, action, attempt: job.attemptsMade + 1, final, err },
        'instance job failed',
      );
      deps.metrics.jobs.inc({ name: action, outcome: final ? 'failed' : 'retried' });
      if (final && (action === 'provision' || action === 'paid')) {
        await deps.provisioning
          .fail(instanceId, err)
          .catch((failErr: unknown) =>
            deps.logger.error(
              { instance: instanceId, err: failErr },
              'could not record the failure in Odoo',
            ),
          );
      }
      throw permanent ? new UnrecoverableError((err as Error).message) : err;
    } finally {
      await deps.locks.unlock(`instance:${instanceId}`, owner);
    }
  };
}

function run(deps: InstancesWorkerDeps, action: string, instanceId: number): Promise<string> {
  switch (action) {
    case 'provision':
      return deps.provisioning.provision(instanceId);
    case 'paid':
      return deps.lifecycle.paid(instanceId);
    case 'suspend':
      return deps.lifecycle.suspend(instanceId);
    case 'reactivate':
      return deps.lifecycle.reactivate(instanceId);
    case 'terminate':
      return deps.lifecycle.terminate(instanceId);
    default:
      throw new UnrecoverableError(`no handler for instance action "${action}"`);
  }
}

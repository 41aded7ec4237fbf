import { BusyError, BridgeError } from '../errors.js';
import type { JobQueuePort } from '../ports/jobs.port.js';
import type { InstanceJobData } from '../schemas/job.schema.js';
import type { ProvisioningService } from '../services/provisioning.service.js';
import { instanceJob, type InstanceJobDeps } from './instance-job.js';

/** From a draft (or stuck) instance to a running tenant; the last failure is recorded on the instance. */
export function provisionJob(deps: InstanceJobDeps & { provisioning: ProvisioningService }) {
  return instanceJob(
    deps,
    'provision',
    async (instanceId, _data, ctx) => {
      try {
        return await deps.provisioning.provision(instanceId);
      } catch (err) {
        // the last attempt's reason is written by fail(); a retried one shows on the instance meanwhile
        if (!ctx.finalAttempt && !notRetried(err))
          await deps.provisioning.noteRetry(instanceId, err, ctx.attempt);
        throw err;
      }
    },
    (data, err) => deps.provisioning.fail(data.instanceId, err),
  );
}

/** From the reconciler: one pending request per instance and minute at most. */
export async function requestProvision(
  queue: JobQueuePort,
  instanceId: number,
  now = Date.now(),
): Promise<void> {
  const minute = Math.floor(now / 60_000);
  const data: InstanceJobData = {
    instanceId,
    action: 'provision',
    eventId: `reconcile-${minute}`,
    eventType: 'reconcile',
  };
  await queue.enqueue('provision', data, { jobId: `provision-${instanceId}-reconcile-${minute}` });
}

/** a busy instance (another job holds it) or a permanent error is not a retry worth showing */
function notRetried(err: unknown): boolean {
  return err instanceof BusyError || (err instanceof BridgeError && err.permanent);
}

import type { JobQueuePort } from '../ports/jobs.port.js';
import type { InstanceJobData } from '../schemas/job.schema.js';
import type { ProvisioningService } from '../services/provisioning.service.js';
import { instanceJob, type InstanceJobDeps } from './instance-job.js';

/** From a draft (or stuck) instance to a running tenant; the last failure is recorded on the instance. */
export function provisionJob(deps: InstanceJobDeps & { provisioning: ProvisioningService }) {
  return instanceJob(
    deps,
    'provision',
    (instanceId) => deps.provisioning.provision(instanceId),
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

import type { LifecycleService } from '../services/lifecycle.service.js';
import { instanceJob, type InstanceJobDeps } from './instance-job.js';

/** Stops the container (data kept) and points the address at the renewal page. */
export function suspendJob(deps: InstanceJobDeps & { lifecycle: LifecycleService }) {
  return instanceJob(deps, 'suspend', (instanceId, { eventId, invoiceId }) =>
    deps.lifecycle.suspend(instanceId, { eventId, invoiceId }),
  );
}

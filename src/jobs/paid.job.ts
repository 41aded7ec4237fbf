import type { LifecycleService } from '../services/lifecycle.service.js';
import type { ProvisioningService } from '../services/provisioning.service.js';
import { instanceJob, type InstanceJobDeps } from './instance-job.js';

/** An invoice was paid: provisions a draft instance, reactivates a suspended one. */
export function paidJob(
  deps: InstanceJobDeps & { lifecycle: LifecycleService; provisioning: ProvisioningService },
) {
  return instanceJob(
    deps,
    'paid',
    (instanceId, { eventId }) => deps.lifecycle.paid(instanceId, { eventId }),
    // a paid draft is a provisioning: its last failure is recorded like one (a running one is not)
    (data, err) => deps.lifecycle.paidFailed(data.instanceId, err),
  );
}

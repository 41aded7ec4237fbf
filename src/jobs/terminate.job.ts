import type { LifecycleService } from '../services/lifecycle.service.js';
import { instanceJob, type InstanceJobDeps } from './instance-job.js';

/**
 * Removes the container and the route; the database and filestore stay for the final backup.
 * With `purge`: final backup, then database, role and filestore deleted too.
 */
export function terminateJob(deps: InstanceJobDeps & { lifecycle: LifecycleService }) {
  return instanceJob(deps, 'terminate', (instanceId, { eventId, purge }) =>
    deps.lifecycle.terminate(instanceId, { eventId, purge }),
  );
}

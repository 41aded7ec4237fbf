import type { LifecycleService } from '../services/lifecycle.service.js';
import { instanceJob, type InstanceJobDeps } from './instance-job.js';

/** Removes the container and the route; the database and filestore stay for the final backup. */
export function terminateJob(deps: InstanceJobDeps & { lifecycle: LifecycleService }) {
  return instanceJob(deps, 'terminate', (instanceId) => deps.lifecycle.terminate(instanceId));
}

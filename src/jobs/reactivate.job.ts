import type { LifecycleService } from '../services/lifecycle.service.js';
import { instanceJob, type InstanceJobDeps } from './instance-job.js';

/** Starts a suspended tenant again and routes its address back to it. */
export function reactivateJob(deps: InstanceJobDeps & { lifecycle: LifecycleService }) {
  return instanceJob(deps, 'reactivate', (instanceId) => deps.lifecycle.reactivate(instanceId));
}

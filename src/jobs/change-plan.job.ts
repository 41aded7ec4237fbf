import type { PlanChangeService } from '../services/plan-change.service.js';
import { instanceJob, type InstanceJobDeps } from './instance-job.js';

/** The master switched the plan: new container limits, tenant limits and apps, then a mail. */
export function changePlanJob(deps: InstanceJobDeps & { planChange: PlanChangeService }) {
  return instanceJob(deps, 'change-plan', (instanceId, { eventId }) =>
    deps.planChange.apply(instanceId, eventId),
  );
}

import type { Metrics } from '../observability/metrics.js';
import type { JobDefinition, JobQueuePort } from '../ports/jobs.port.js';
import type { LockPort } from '../ports/lock.port.js';
import type { MailService } from '../services/mail.service.js';
import type { PlanChangeService } from '../services/plan-change.service.js';
import type { UsageService } from '../services/usage.service.js';
import { changePlanJob } from './change-plan.job.js';
import { measureUsageJob } from './measure-usage.job.js';
import { planChangedMailJob } from './plan-changed-mail.job.js';
import { scheduleUsageJob } from './schedule-usage.job.js';

export interface PlanJobDeps {
  planChange: PlanChangeService;
  usage: UsageService;
  mail: MailService;
  queue: JobQueuePort;
  locks: LockPort;
  metrics: Metrics;
}

/** The jobs of plans that hold (issue 10): applying a plan change, its mail, usage measurement. */
export function planJobDefinitions(deps: PlanJobDeps): JobDefinition[] {
  return [
    changePlanJob(deps),
    planChangedMailJob(deps),
    scheduleUsageJob(deps),
    measureUsageJob(deps),
  ];
}

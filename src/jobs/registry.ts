import type { Metrics } from '../observability/metrics.js';
import {
  JOBS,
  type JobDefinition,
  type JobName,
  type JobRegistry,
  type QueueName,
} from '../ports/jobs.port.js';
import type { LockPort } from '../ports/lock.port.js';
import type { OdooPort } from '../ports/odoo.port.js';
import type { CapacityWatchService } from '../services/capacity-watch.service.js';
import type { LifecycleService } from '../services/lifecycle.service.js';
import type { MailService } from '../services/mail.service.js';
import type { ProvisioningService } from '../services/provisioning.service.js';
import type { ReconcileService } from '../services/reconcile.service.js';
import type { TemplateService } from '../services/template.service.js';
import { capacityCheckJob } from './capacity-check.job.js';
import { chargeFailedMailJob } from './charge-failed-mail.job.js';
import { storageWarningMailJob } from './storage-warning-mail.job.js';
import { counted } from './counted.js';
import { deletionWarningMailJob } from './deletion-warning-mail.job.js';
import { paidJob } from './paid.job.js';
import { provisionJob } from './provision.job.js';
import { reactivateJob } from './reactivate.job.js';
import { reconcileJob } from './reconcile.job.js';
import { reminderMailJob } from './reminder-mail.job.js';
import { stateMailJob } from './state-mail.job.js';
import { suspendJob } from './suspend.job.js';
import { terminateJob } from './terminate.job.js';
import { warmTemplatesJob } from './warm-templates.job.js';
import { welcomeJob } from './welcome.job.js';

export interface JobDeps {
  provisioning: ProvisioningService;
  lifecycle: LifecycleService;
  reconcile: ReconcileService;
  templates: TemplateService;
  mail: MailService;
  odoo: OdooPort;
  locks: LockPort;
  metrics: Metrics;
  capacityWatch: CapacityWatchService;
  /** the backup jobs, built with their own services (src/backup-wiring.ts) */
  backupJobs: JobDefinition[];
  /** plan change and usage jobs (src/jobs/plan.jobs.ts, built in src/plan-wiring.ts) */
  planJobs: JobDefinition[];
  /** the rolling update's job (src/update-wiring.ts) */
  updateJobs: JobDefinition[];
  /** custom domain jobs (src/jobs/domain.jobs.ts, built in src/domain-wiring.ts) */
  domainJobs: JobDefinition[];
  /** hibernation's jobs (src/jobs/hibernation.jobs.ts, built in src/hibernation-wiring.ts) */
  hibernationJobs?: JobDefinition[];
  /** warm spares' job (src/jobs/replenish-spares.job.ts, built in src/wiring.ts) */
  spareJobs?: JobDefinition[];
  /** an admin's move of a tenant to a Swarm node, and the watch for tenants Swarm moved (src/wiring.ts) */
  swarmJobs?: JobDefinition[];
}

/** Every job the bridge runs. Adding one: its file under jobs/, its name in JOBS, one line here. */
export function jobDefinitions(deps: JobDeps): JobDefinition[] {
  return [
    provisionJob(deps),
    paidJob(deps),
    suspendJob(deps),
    reactivateJob(deps),
    terminateJob(deps),
    welcomeJob(deps),
    reminderMailJob(deps),
    deletionWarningMailJob(deps),
    chargeFailedMailJob(deps),
    storageWarningMailJob(deps),
    stateMailJob(deps),
    reconcileJob(deps),
    warmTemplatesJob(deps),
    capacityCheckJob(deps),
    ...deps.backupJobs,
    ...deps.planJobs,
    ...deps.updateJobs,
    ...deps.domainJobs,
    ...(deps.hibernationJobs ?? []),
    ...(deps.spareJobs ?? []),
    ...(deps.swarmJobs ?? []),
  ];
}

export function buildRegistry(deps: JobDeps, definitions = jobDefinitions(deps)): JobRegistry {
  const registry = new Map<JobName, JobDefinition>();
  for (const definition of definitions) {
    if (registry.has(definition.name))
      throw new JobRegistryError(`job "${definition.name}" has two handlers`);
    registry.set(definition.name, counted(deps.metrics, definition));
  }
  return registry;
}

export class JobRegistryError extends Error {
  override name = 'JobRegistryError';
}

/**
 * The start-up self-check: every declared job has exactly one handler, on its declared queue, and
 * every handler has a declared job. Throws one line naming each mismatch.
 */
export function checkRegistry(
  registry: JobRegistry,
  declared: Readonly<Record<QueueName, readonly string[]>> = JOBS,
): void {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const [queue, jobs] of Object.entries(declared)) {
    for (const name of jobs) {
      names.add(name);
      const definition = registry.get(name as JobName);
      if (!definition) problems.push(`no handler for job ${queue}/${name}`);
      else if (definition.queue !== queue)
        problems.push(
          `job ${name} is declared on ${queue} but its handler is on ${definition.queue}`,
        );
    }
  }
  for (const [name, definition] of registry) {
    if (!names.has(name)) problems.push(`handler for undeclared job ${definition.queue}/${name}`);
    else if (definition.name !== name)
      problems.push(`handler ${definition.name} is registered as ${name}`);
  }
  if (problems.length > 0)
    throw new JobRegistryError(`job registry does not match JOBS: ${problems.join('; ')}`);
}

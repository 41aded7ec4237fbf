import type { Router } from 'express';
import type { Config } from './config.js';
import { containerLogRoute } from './http/container-log.route.js';
import { ContainerLogService } from './services/container-log.service.js';
import { enqueuePlanChangedMail } from './jobs/plan-changed-mail.job.js';
import { planJobDefinitions } from './jobs/plan.jobs.js';
import { USAGE_PLANNER_EVERY_MS } from './jobs/schedule-usage.job.js';
import type { Metrics } from './observability/metrics.js';
import type { Logger } from './observability/logger.js';
import type { DatabasePort } from './ports/database.port.js';
import type { DockerPort } from './ports/docker.port.js';
import type { FilestorePort } from './ports/filestore.port.js';
import type { JobDefinition, JobName, JobQueuePort } from './ports/jobs.port.js';
import type { LockPort } from './ports/lock.port.js';
import type { OdooPort } from './ports/odoo.port.js';
import type { ProxyPort } from './ports/proxy.port.js';
import type { TenantLimitsService } from './services/tenant-limits.js';
import type { TenantPort } from './ports/tenant.port.js';
import type { MailService } from './services/mail.service.js';
import type { PlanAppsService } from './services/plan-apps.service.js';
import { PlanChangeService } from './services/plan-change.service.js';
import type { TenantIdentity } from './services/tenant-identity.js';
import { UsageService } from './services/usage.service.js';

export interface PlanWiringDeps {
  config: Config;
  odoo: OdooPort;
  docker: DockerPort;
  db: DatabasePort;
  tenant: TenantPort;
  limits: Pick<TenantLimitsService, 'apply'>;
  planApps: Pick<PlanAppsService, 'install'>;
  proxy: ProxyPort;
  filestore: FilestorePort;
  identity: TenantIdentity;
  mail: MailService;
  queue: JobQueuePort & LockPort;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Plan changes and usage (issue 10), built from the adapters wiring already has. Wiring (two
 * lines): jobs into the registry, schedules with every().
 */
export function wirePlans(deps: PlanWiringDeps): {
  jobs: JobDefinition[];
  /** the signed log tail route of the admin's instance form */
  logRoute: Router;
  schedules: { name: JobName; everyMs: number; data: object }[];
} {
  const { queue } = deps;
  const planChange = new PlanChangeService({
    odoo: deps.odoo,
    docker: deps.docker,
    db: deps.db,
    tenant: deps.tenant,
    limits: deps.limits,
    proxy: deps.proxy,
    identity: deps.identity,
    logger: deps.logger,
    readyTimeoutMs: deps.config.jobs.readyTimeoutMs,
    installApps: (instance, plan) => deps.planApps.install(instance, plan),
    queueMail: (data) => enqueuePlanChangedMail(queue, data),
  });
  const usage = new UsageService({
    odoo: deps.odoo,
    db: deps.db,
    filestore: deps.filestore,
    identity: deps.identity,
  });
  const logs = new ContainerLogService({
    odoo: deps.odoo,
    docker: deps.docker,
    identity: deps.identity,
  });
  return {
    jobs: planJobDefinitions({
      planChange,
      usage,
      mail: deps.mail,
      queue,
      locks: queue,
      metrics: deps.metrics,
    }),
    logRoute: containerLogRoute({
      sharedSecret: deps.config.sharedSecret,
      now: () => Date.now(),
      tail: (id, lines) => logs.tail(id, lines),
    }),
    schedules: [{ name: 'schedule-usage', everyMs: USAGE_PLANNER_EVERY_MS, data: {} }],
  };
}

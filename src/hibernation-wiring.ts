import type { Router } from 'express';
import { OdooRequestLogAdapter } from './adapters/odoo-request-log.adapter.js';
import type { Config } from './config.js';
import { wakeRoute } from './http/wake.route.js';
import { hibernationJobDefinitions } from './jobs/hibernation.jobs.js';
import { enqueueWake } from './jobs/wake-instance.job.js';
import type { Logger } from './observability/logger.js';
import type { CronSchedulePort } from './ports/cron.port.js';
import type { DockerPort } from './ports/docker.port.js';
import type { JobDefinition, JobName, JobQueuePort } from './ports/jobs.port.js';
import type { LockPort } from './ports/lock.port.js';
import type { OdooPort } from './ports/odoo.port.js';
import type { ProxyPort } from './ports/proxy.port.js';
import type { TenantPort } from './ports/tenant.port.js';
import { HibernationService } from './services/hibernation.service.js';
import type { TenantIdentity } from './services/tenant-identity.js';
import type { TenantLimitsService } from './services/tenant-limits.js';

export interface HibernationWiringDeps {
  config: Config;
  odoo: OdooPort;
  docker: DockerPort;
  proxy: ProxyPort;
  tenant: TenantPort;
  limits: Pick<TenantLimitsService, 'reapply'>;
  /** the tenants' databases: when their scheduled actions are due */
  cron: CronSchedulePort;
  identity: TenantIdentity;
  queue: JobQueuePort & LockPort;
  logger: Logger;
}

/**
 * Hibernation (docs/hibernation.md), built from the adapters wiring already has. Wiring: jobs into
 * the registry, the wake route into createApp, the scan with every(), the service to the reconciler.
 */
export function wireHibernation(deps: HibernationWiringDeps): {
  hibernation: HibernationService;
  jobs: JobDefinition[];
  wakeRoute: Router;
  schedules: { name: JobName; everyMs: number; data: object }[];
} {
  const { config, queue } = deps;
  const hibernation = new HibernationService({
    odoo: deps.odoo,
    docker: deps.docker,
    proxy: deps.proxy,
    tenant: deps.tenant,
    limits: deps.limits,
    activity: new OdooRequestLogAdapter(config.docker.socketPath),
    cron: deps.cron,
    identity: deps.identity,
    logger: deps.logger,
    wakeUpstream: config.hibernation.wakeUpstream,
    readyTimeoutMs: config.jobs.readyTimeoutMs,
  });
  const scanMs = config.hibernation.scanSeconds * 1000;
  return {
    hibernation,
    jobs: hibernationJobDefinitions({ hibernation, queue, locks: queue }),
    wakeRoute: wakeRoute({
      requestWake: (id) => enqueueWake(queue, id),
      logger: deps.logger,
    }),
    schedules: scanMs > 0 ? [{ name: 'scan-idle', everyMs: scanMs, data: {} }] : [],
  };
}

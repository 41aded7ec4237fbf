import path from 'node:path';
import { addonFingerprint } from './adapters/addon-fingerprint.js';
import { bullBoardRouter } from './adapters/bull-board.adapter.js';
import { CaddyProxyAdapter } from './adapters/caddy-proxy.adapter.js';
import { tlsAskRoute } from './http/tls-ask.route.js';
import { TlsAskService } from './services/tls-ask.service.js';
import { DockerAdapter } from './adapters/docker.adapter.js';
import { SwarmDockerAdapter } from './adapters/swarm-docker.adapter.js';
import { EventDedupeAdapter } from './adapters/event-dedupe.adapter.js';
import { FilestoreAdapter } from './adapters/filestore.adapter.js';
import { JobQueueAdapter } from './adapters/job-queue.adapter.js';
import { MailerAdapter } from './adapters/mailer.adapter.js';
import { replenishSparesJob, replenishSparesNow } from './jobs/replenish-spares.job.js';
import { SpareService } from './services/spare.service.js';
import { wireCapacity } from './capacity-wiring.js';
import { MasterOdooRepository } from './adapters/master-odoo.repository.js';
import { OdooClient } from './adapters/odoo.client.js';
import { PostgresAdapter } from './adapters/postgres.adapter.js';
import { TenantOdooRepository } from './adapters/tenant-odoo.repository.js';
import { createApp } from './app.js';
import { wireBackups } from './backup-wiring.js';
import type { Config } from './config.js';
import { requestProvision } from './jobs/provision.job.js';
import { oneJobPerInstance } from './jobs/instance-lock.js';
import { buildRegistry } from './jobs/registry.js';
import { enqueueStateMail } from './jobs/state-mail.job.js';
import { enqueueWelcome } from './jobs/welcome.job.js';
import { wirePlans } from './plan-wiring.js';
import { wireUpdates } from './update-wiring.js';
import { wireDomains } from './domain-wiring.js';
import { wireHibernation } from './hibernation-wiring.js';
import type { Bridge } from './lifecycle.js';
import type { Logger } from './observability/logger.js';
import { registerNodeMetrics } from './observability/node-metrics.js';
import { moveInstanceJob } from './jobs/move-instance.job.js';
import { MoveService } from './services/move.service.js';
import { swarmWatchJob } from './jobs/swarm-watch.job.js';
import { reconcileNow } from './jobs/reconcile.job.js';
import { SwarmWatchService } from './services/swarm-watch.service.js';
import type { DockerPort } from './ports/docker.port.js';
import { Metrics } from './observability/metrics.js';
import { EventIntakeService } from './services/event-intake.service.js';
import { LifecycleService } from './services/lifecycle.service.js';
import { MailService } from './services/mail.service.js';
import { ProvisioningService } from './services/provisioning.service.js';
import { resolveOwner } from './services/owner.js';
import { ReconcileService } from './services/reconcile.service.js';
import { TenantMailRelayService } from './services/tenant-mail-relay.service.js';
import { TemplateService } from './services/template.service.js';
import { TenantLimitsService } from './services/tenant-limits.js';
import { PlanAppsService } from './services/plan-apps.service.js';
import { TenantIdentity } from './services/tenant-identity.js';
import { TENANT_ADDON, type TenantRuntime } from './services/tenant-runtime.js';

/** Builds every adapter, service and job from the config; starts nothing (src/lifecycle.ts does). */
export async function wire(config: Config, logger: Logger): Promise<Bridge> {
  const metrics = new Metrics();
  const jobs = new JobQueueAdapter(config.redisUrl, { logger });
  const odooClient = new OdooClient(config.odoo);
  const odoo = new MasterOdooRepository(odooClient);
  const docker: DockerPort =
    config.docker.mode === 'swarm'
      ? new SwarmDockerAdapter(config.docker.socketPath)
      : new DockerAdapter(config.docker.socketPath);
  const nodes = docker.nodes?.bind(docker);
  if (nodes) registerNodeMetrics(metrics.registry, nodes);
  const db = new PostgresAdapter(config.postgres.adminUrl);
  const filestore = new FilestoreAdapter(config.docker.dataDir, config.docker.uid);
  const proxy = new CaddyProxyAdapter(
    config.proxy.adminUrl,
    config.proxy.server,
    config.proxy.challengeServer,
  );
  const mailer = new MailerAdapter(config.mail.smtpUrl, config.mail.from);
  const tenant = new TenantOdooRepository(db);

  const imageId = await docker.imageId(config.docker.image);
  if (!imageId) {
    logger.warn(
      { image: config.docker.image },
      'tenant image is not on the Docker engine; provisioning will fail until it is',
    );
  }
  const runtime = await tenantRuntime(config, docker);
  const odooBuild = [
    imageId ?? config.docker.image,
    // templates built when the whole addons dir was mounted list saas_master among their modules
    `mount:${TENANT_ADDON}`,
    await addonFingerprint(path.join(runtime.saasAddonsDir, TENANT_ADDON), config.docker.odooSrc),
    // Swarm templates keep their attachments in the database: never cloned from a plain one
    ...(runtime.selfContained ? ['attachments:db'] : []),
  ].join('|');
  const templates = new TemplateService({
    db,
    docker,
    filestore,
    locks: jobs,
    runtime,
    logger,
    templateUser: config.postgres.templateUser,
    templatePassword: config.postgres.templatePassword,
    odooBuild,
    locales: config.docker.templateLocales,
  });
  const identity = new TenantIdentity({
    owner: await resolveOwner(odoo, logger, {
      configured: config.owner,
      timeoutMs: 120_000,
      retryMs: 2_000,
    }),
    baseDomain: config.proxy.baseDomain,
    bridgeSecret: config.tenantBridgeSecret,
  });
  const portalUrl = (id: number) => `${config.odoo.publicUrl}/my/instances/${id}`;
  const capacity = wireCapacity({
    config,
    db,
    docker,
    odoo,
    mailer,
    metrics,
    logger,
    requestProvision: (id) => requestProvision(jobs, id),
  });
  const limits = new TenantLimitsService({
    odoo,
    tenant,
    identity,
    logger,
    upgradeUrl: portalUrl,
  });
  const backups = wireBackups({
    config,
    odooClient,
    odoo,
    db,
    docker,
    proxy,
    tenant,
    filestore,
    identity,
    metrics,
    logger,
  });
  const spares = new SpareService({
    db,
    docker,
    filestore,
    tenant,
    locks: jobs,
    templates,
    identity,
    runtime,
    logger: logger.child({ component: 'spares' }),
    readyTimeoutMs: config.jobs.readyTimeoutMs,
    // a taken spare reads its new odoo.conf from its data dir, which Swarm tenants do not mount
    setting: runtime.selfContained ? {} : config.docker.warmSpares,
    capacity: capacity.capacity,
  });
  const provisioning = new ProvisioningService({
    odoo,
    tenant,
    db,
    docker,
    filestore,
    proxy,
    templates,
    databaseSource: config.docker.databaseSource,
    limits,
    runtime,
    identity,
    logger,
    publicUrl: {
      baseDomain: config.proxy.baseDomain,
      scheme: config.proxy.scheme,
      port: config.proxy.port,
    },
    readyTimeoutMs: config.jobs.readyTimeoutMs,
    mailRelay: { ...config.tenantMail, host: config.tenantMail.host ?? runtime.gateway },
    capacity: capacity.capacity,
    // a copy of an instance is restored from that instance's backup
    copies: backups.instanceBackups,
    spares,
    onSpareTaken: () => replenishSparesNow(jobs),
    onRunning: (id, subdomain) => enqueueWelcome(jobs, id, subdomain),
  });
  const planApps = new PlanAppsService({ docker, tenant, identity });
  const lifecycle = new LifecycleService({
    odoo,
    docker,
    proxy,
    tenant,
    db,
    filestore,
    // the backups' service comes in here (FinalBackupPort); until then a purge fails, deleting nothing
    finalBackup: backups.instanceBackups,
    queueMail: (data, eventId) => enqueueStateMail(jobs, data, eventId),
    provisioning,
    identity,
    logger,
    limits,
    planApps,
    renewUrl: (id) => config.proxy.suspendedPageUrl ?? portalUrl(id),
    readyTimeoutMs: config.jobs.readyTimeoutMs,
  });
  const sleep = wireHibernation({
    config,
    odoo,
    docker,
    proxy,
    tenant,
    limits,
    cron: db,
    identity,
    queue: jobs,
    logger,
  });
  const reconcile = new ReconcileService({
    odoo,
    docker,
    proxy,
    identity,
    limits,
    // tenants made before they got the relay at set-up get it here (their servers, if any, stay)
    mailRelay: new TenantMailRelayService({
      servers: db,
      filestore,
      identity,
      relay: { ...config.tenantMail, host: config.tenantMail.host ?? runtime.gateway },
      logger,
    }),
    logger,
    routeAsleep: (instance) => sleep.hibernation.routeAsleep(instance),
    requestProvision: (id) => requestProvision(jobs, id),
    recordStates: (counts) => {
      for (const [state, count] of Object.entries(counts)) metrics.instances.set({ state }, count);
    },
  });
  const mail = new MailService({ odoo, mailer, portalUrl, baseDomain: config.proxy.baseDomain });
  const plans = wirePlans({
    config,
    odoo,
    docker,
    db,
    tenant,
    limits,
    planApps,
    proxy,
    filestore,
    identity,
    mail,
    queue: jobs,
    metrics,
    logger,
  });
  const updates = wireUpdates({
    config,
    odooClient,
    odoo,
    docker,
    db,
    tenant,
    proxy,
    filestore,
    identity,
    runtime,
    backups: backups.instanceBackups,
    oneJobPerInstance: (handler) => oneJobPerInstance(jobs, handler),
    logger,
  });
  void updates.announce();

  // event ids are claimed on their own connection: a delivery must not wait behind job traffic
  const dedupe = new EventDedupeAdapter(config.redisUrl);
  const registry = buildRegistry({
    provisioning,
    lifecycle,
    reconcile,
    templates,
    mail,
    odoo,
    locks: jobs,
    metrics,
    capacityWatch: capacity.watch,
    backupJobs: backups.jobs(
      (name, data, options) => jobs.enqueue(name, data, options),
      (handler) => oneJobPerInstance(jobs, handler),
    ),
    planJobs: plans.jobs,
    updateJobs: updates.jobs,
    domainJobs: wireDomains({
      config,
      odooClient,
      odoo,
      proxy,
      docker,
      tenant,
      identity,
      locks: jobs,
      renewUrl: (id) => config.proxy.suspendedPageUrl ?? portalUrl(id),
    }).jobs,
    hibernationJobs: sleep.jobs,
    spareJobs: [replenishSparesJob({ odoo, spares })],
    swarmJobs: [
      moveInstanceJob({
        locks: jobs,
        metrics,
        move: new MoveService({
          odoo,
          docker,
          proxy,
          tenant,
          identity,
          logger: logger.child({ component: 'move' }),
          readyTimeoutMs: config.jobs.readyTimeoutMs,
        }),
      }),
      swarmWatchJob({
        swarmWatch: new SwarmWatchService({
          docker,
          reconcileNow: () => reconcileNow(jobs),
          logger: logger.child({ component: 'swarm-watch' }),
        }),
      }),
    ],
  });
  jobs.register(registry);

  const app = createApp({
    config,
    logger,
    metrics,
    intake: new EventIntakeService(jobs, dedupe),
    queueBoard: (basePath) => bullBoardRouter(jobs, basePath),
    extraRoutes: [
      backups.downloadRoute,
      plans.logRoute,
      tlsAskRoute(new TlsAskService(proxy, config.proxy.baseDomain)),
      sleep.wakeRoute,
    ],
    readiness: [
      { name: 'redis', check: () => jobs.ping() },
      { name: 'docker', check: () => docker.ping() },
      { name: 'odoo', check: () => odoo.ping() },
      { name: 'postgres', check: () => db.ping() },
      { name: 'proxy', check: () => proxy.ping() },
    ],
  });
  return {
    app,
    jobs,
    registry,
    concurrency: {
      instances: config.jobs.provisionConcurrency,
      mail: 2,
      maintenance: 1,
      backups: 1,
    },
    schedules: [
      ...backups.schedules,
      capacity.schedule,
      ...plans.schedules,
      ...sleep.schedules,
      // a spare that vanished, or outdated by a new template, is replaced within one interval
      {
        name: 'replenish-spares' as const,
        everyMs: config.jobs.reconcileIntervalSeconds * 1000,
        data: {},
      },
      ...(config.docker.mode === 'swarm'
        ? [
            {
              name: 'swarm-watch' as const,
              everyMs: config.docker.swarmWatchSeconds * 1000,
              data: {},
            },
          ]
        : []),
    ],
    http: { port: config.http.port, host: config.http.host },
    reconcileIntervalSeconds: config.jobs.reconcileIntervalSeconds,
    logger,
    facts: { image: config.docker.image, tenantDbHost: runtime.dbHost, owner: identity.owner },
    async close() {
      await dedupe.close();
      await db.close();
      mailer.close();
    },
  };
}

async function tenantRuntime(
  config: Config,
  docker: DockerPort,
): Promise<TenantRuntime & { gateway: string }> {
  const { gateway } = await docker.ensureNetwork(config.docker.network, config.docker.subnet);
  return {
    image: config.docker.image,
    odooSrc: config.docker.odooSrc,
    addonsPath: config.docker.addonsPath,
    saasAddonsDir: path.resolve(config.docker.saasAddonsDir),
    network: config.docker.network,
    dbHost: config.postgres.tenantHost ?? gateway,
    dbPort: config.postgres.tenantPort,
    selfContained: config.docker.mode === 'swarm',
    gateway,
  };
}

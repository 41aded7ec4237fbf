import path from 'node:path';
import type { Server } from 'node:http';
import { addonFingerprint } from './adapters/addon-fingerprint.js';
import { CaddyProxyAdapter } from './adapters/caddy-proxy.adapter.js';
import { DockerAdapter } from './adapters/docker.adapter.js';
import { FilestoreAdapter } from './adapters/filestore.adapter.js';
import { JobQueueAdapter, type Processor } from './adapters/job-queue.adapter.js';
import { MailerAdapter } from './adapters/mailer.adapter.js';
import { MasterOdooRepository } from './adapters/master-odoo.repository.js';
import { OdooClient } from './adapters/odoo.client.js';
import { PostgresAdapter } from './adapters/postgres.adapter.js';
import { TenantOdooRepository } from './adapters/tenant-odoo.repository.js';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { JobProducers } from './queues/producers.js';
import { JOBS, QUEUES, type QueueName } from './queues/queue-names.js';
import { EventIntakeService } from './services/event-intake.service.js';
import { LifecycleService } from './services/lifecycle.service.js';
import { MailService } from './services/mail.service.js';
import { ProvisioningService } from './services/provisioning.service.js';
import { resolveOwner } from './services/owner.js';
import { ReconcileService } from './services/reconcile.service.js';
import { TemplateService } from './services/template.service.js';
import { TenantIdentity } from './services/tenant-identity.js';
import type { TenantRuntime } from './services/tenant-runtime.js';
import { instancesProcessor } from './workers/instances.worker.js';
import { mailProcessor } from './workers/mail.worker.js';
import { maintenanceProcessor } from './workers/maintenance.worker.js';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      // one readable line, no stack: the operator fixes .env and starts again
      console.error(`saas-bridge: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

/** Which job names each queue's processor handles; checked against JOBS at start. */
const HANDLED: Record<QueueName, readonly string[]> = {
  instances: ['provision', 'paid', 'suspend', 'reactivate', 'terminate'],
  mail: ['welcome'],
  maintenance: ['reconcile', 'warm-templates'],
};

function checkHandlers(): void {
  for (const queue of Object.values(QUEUES)) {
    const missing = JOBS[queue].filter((name) => !HANDLED[queue].includes(name));
    const extra = HANDLED[queue].filter(
      (name) => !(JOBS[queue] as readonly string[]).includes(name),
    );
    if (missing.length || extra.length) {
      throw new Error(
        `queue ${queue}: jobs without handler [${missing}], handlers without job [${extra}]`,
      );
    }
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(
    config.logLevel,
    config.env === 'development' && process.stdout.isTTY,
  );
  checkHandlers();
  const metrics = new Metrics();

  const jobs = new JobQueueAdapter(config.redisUrl);
  const producers = new JobProducers(jobs);
  const odoo = new MasterOdooRepository(new OdooClient(config.odoo));
  const docker = new DockerAdapter(config.docker.socketPath);
  const db = new PostgresAdapter(config.postgres.adminUrl);
  const filestore = new FilestoreAdapter(config.docker.dataDir, config.docker.uid);
  const proxy = new CaddyProxyAdapter(config.proxy.adminUrl, config.proxy.server);
  const mailer = new MailerAdapter(config.mail.smtpUrl, config.mail.from);
  const tenant = new TenantOdooRepository();

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
    await addonFingerprint(path.join(runtime.saasAddonsDir, 'saas_tenant'), config.docker.odooSrc),
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
  const provisioning = new ProvisioningService({
    odoo,
    tenant,
    db,
    docker,
    filestore,
    proxy,
    templates,
    runtime,
    identity,
    logger,
    publicUrl: {
      baseDomain: config.proxy.baseDomain,
      scheme: config.proxy.scheme,
      port: config.proxy.port,
    },
    readyTimeoutMs: config.jobs.readyTimeoutMs,
    onRunning: (id, subdomain) => producers.enqueueWelcome(id, subdomain),
  });
  const lifecycle = new LifecycleService({
    odoo,
    docker,
    proxy,
    tenant,
    provisioning,
    identity,
    logger,
    renewUrl: (id) => config.proxy.suspendedPageUrl ?? portalUrl(id),
    readyTimeoutMs: config.jobs.readyTimeoutMs,
  });
  const reconcile = new ReconcileService({
    odoo,
    docker,
    proxy,
    identity,
    logger,
    requestProvision: (id) => producers.requestProvision(id),
    recordStates: (counts) => {
      for (const [state, count] of Object.entries(counts)) metrics.instances.set({ state }, count);
    },
  });
  const mail = new MailService({ odoo, mailer, portalUrl });

  const processors: Record<QueueName, [Processor, number]> = {
    instances: [
      instancesProcessor({ provisioning, lifecycle, locks: jobs, metrics, logger }),
      config.jobs.provisionConcurrency,
    ],
    mail: [mailProcessor({ mail, metrics }), 2],
    maintenance: [maintenanceProcessor({ reconcile, templates, odoo, logger }), 1],
  };
  const workers = Object.entries(processors).map(([queue, [processor, concurrency]]) => {
    const worker = jobs.worker(queue as QueueName, processor, concurrency);
    worker.on('failed', (job, err) =>
      logger.warn({ queue, job: job?.id, err: err.message }, 'job failed'),
    );
    worker.on('error', (err) => logger.error({ queue, err }, 'worker error'));
    return worker;
  });
  for (const queue of Object.values(QUEUES)) jobs.queue(queue);

  const app = createApp({
    config,
    logger,
    metrics,
    intake: new EventIntakeService(producers),
    queues: jobs.allQueues(),
    readiness: [
      { name: 'redis', check: () => jobs.ping() },
      { name: 'docker', check: () => docker.ping() },
      { name: 'odoo', check: () => odoo.ping() },
      { name: 'postgres', check: () => db.ping() },
      { name: 'proxy', check: () => proxy.ping() },
    ],
  });
  const server: Server = app.listen(config.http.port, config.http.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  for (const worker of workers) void worker.run();
  await jobs.every(QUEUES.maintenance, 'reconcile', config.jobs.reconcileIntervalSeconds);
  await producers.reconcileNow();
  await producers.warmTemplates();
  logger.info(
    {
      port: config.http.port,
      host: config.http.host,
      image: config.docker.image,
      tenantDbHost: runtime.dbHost,
      owner: identity.owner,
    },
    'bridge listening',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: HTTP, then workers, then queues, then Redis');
    const force = setTimeout(() => process.exit(1), 30_000).unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await jobs.close();
    await db.close();
    mailer.close();
    clearTimeout(force);
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

async function tenantRuntime(config: Config, docker: DockerAdapter): Promise<TenantRuntime> {
  const { gateway } = await docker.ensureNetwork(config.docker.network, config.docker.subnet);
  return {
    image: config.docker.image,
    odooSrc: config.docker.odooSrc,
    addonsPath: config.docker.addonsPath,
    saasAddonsDir: path.resolve(config.docker.saasAddonsDir),
    network: config.docker.network,
    dbHost: config.postgres.tenantHost ?? gateway,
    dbPort: config.postgres.tenantPort,
  };
}

main().catch((err: unknown) => {
  console.error(
    `saas-bridge: failed to start: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
});

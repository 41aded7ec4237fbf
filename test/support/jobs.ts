import { moveInstanceJob } from '../../src/jobs/move-instance.job.js';
import { swarmWatchJob } from '../../src/jobs/swarm-watch.job.js';
import { SwarmWatchService } from '../../src/services/swarm-watch.service.js';
import { MoveService } from '../../src/services/move.service.js';
import type { DockerPort } from '../../src/ports/docker.port.js';
import { replenishSparesJob } from '../../src/jobs/replenish-spares.job.js';
import { worldSpares } from './spares.js';
import { pino } from 'pino';
import { z } from 'zod';
import { backupJobDefinitions } from '../../src/jobs/backup.jobs.js';
import { oneJobPerInstance } from '../../src/jobs/instance-lock.js';
import type { JobDeps } from '../../src/jobs/registry.js';
import { Metrics } from '../../src/observability/metrics.js';
import type { BackupService } from '../../src/services/backup.service.js';
import { InstanceBackupService } from '../../src/services/instance-backup.service.js';
import { MailService } from '../../src/services/mail.service.js';
import { FakeBackupRecords } from './fakes/fake-backup-records.js';
import { FakeJobQueue } from './fakes/fake-job-queue.js';
import { FakeMail } from './fakes/fake-mail.js';
import { enqueuePlanChangedMail } from '../../src/jobs/plan-changed-mail.job.js';
import { planJobDefinitions } from '../../src/jobs/plan.jobs.js';
import { PlanChangeService } from '../../src/services/plan-change.service.js';
import { UsageService } from '../../src/services/usage.service.js';
import type { World } from './world.js';
import { RUNTIME } from './world.js';
import { updateInstanceJob } from '../../src/jobs/update-instance.job.js';
import { TenantUpdateService } from '../../src/services/tenant-update.service.js';
import { FakeModuleVersions, FakeRolloutRecords, FakeUpdateBackups } from './fakes/fake-update.js';
import { hibernationJobDefinitions } from '../../src/jobs/hibernation.jobs.js';
import { HibernationService } from '../../src/services/hibernation.service.js';
import { FakeActivity } from './fakes/fake-activity.js';
import { domainJobDefinitions } from '../../src/jobs/domain.jobs.js';
import { CustomDomainService } from '../../src/services/custom-domain.service.js';
import { FakeDomainProbe, FakeDomainRecords } from './fakes/fake-domain-probe.js';
import {
  JOBS,
  type JobContext,
  type JobDefinition,
  type JobName,
  type JobRegistry,
  type QueueName,
} from '../../src/ports/jobs.port.js';

/** the queue JOBS declares `name` on */
export function declaredQueue(name: JobName): QueueName {
  const queue = (Object.keys(JOBS) as QueueName[]).find((q) =>
    (JOBS[q] as readonly string[]).includes(name),
  );
  if (!queue) throw new Error(`${name} is not in JOBS`);
  return queue;
}

/** A definition of `name` on its declared queue: any object as data, run once, answering "ok". */
export function stubJob(name: JobName, overrides: Partial<JobDefinition> = {}): JobDefinition {
  return {
    name,
    queue: declaredQueue(name),
    schema: z.looseObject({}),
    attempts: 1,
    handler: async () => 'ok',
    ...overrides,
  };
}

export function registryOf(jobs: (JobName | JobDefinition)[]): JobRegistry {
  const definitions = jobs.map((j) => (typeof j === 'string' ? stubJob(j) : j));
  return new Map(definitions.map((d) => [d.name, d]));
}

/** What the queue hands a handler, for calling one directly. */
export function jobContext(
  overrides: Partial<JobContext> = {},
): JobContext & { progressed: number[] } {
  const progressed: number[] = [];
  return {
    jobId: 'job-1',
    attempt: 1,
    finalAttempt: false,
    logger: pino({ level: 'silent' }),
    progress: async (pct) => void progressed.push(pct),
    progressed,
    ...overrides,
  };
}

/** The job deps of a world (test/support/world.ts), with a mail service on an in-memory outbox. */
export function worldJobDeps(world: World, overrides: Partial<JobDeps> = {}) {
  const outbox = new FakeMail();
  const mail = new MailService({
    odoo: world.odoo,
    mailer: outbox,
    portalUrl: (id) => `https://master.example.com/my/instances/${id}`,
    baseDomain: 'saas.example.com',
  });
  const deps: JobDeps = {
    provisioning: world.provisioning,
    lifecycle: world.lifecycle,
    reconcile: world.reconcile,
    templates: world.templates,
    mail,
    odoo: world.odoo,
    locks: world.locks,
    metrics: new Metrics(),
    capacityWatch: world.capacityWatch,
    backupJobs: worldBackupJobs(world),
    planJobs: worldPlanJobs(world, mail),
    updateJobs: worldUpdateJobs(world),
    domainJobs: worldDomainJobs(world),
    hibernationJobs: worldHibernationJobs(world),
    spareJobs: [replenishSparesJob({ odoo: world.odoo, spares: worldSpares(world).spares })],
    swarmJobs: [
      moveInstanceJob({ locks: world.locks, metrics: new Metrics(), move: worldMove(world) }),
      swarmWatchJob({
        swarmWatch: new SwarmWatchService({
          docker: world.docker,
          reconcileNow: async () => void (await world.reconcile.reconcile()),
          logger: pino({ level: 'silent' }),
        }),
      }),
    ],
    ...overrides,
  };
  return { deps, outbox };
}

/** Moves of tenants between (faked) Swarm nodes over a world's ports. */
export function worldMove(world: World, docker: DockerPort = world.docker): MoveService {
  return new MoveService({
    odoo: world.odoo,
    docker,
    proxy: world.proxy,
    tenant: world.tenant,
    identity: world.identity,
    logger: pino({ level: 'silent' }),
    readyTimeoutMs: 1_000,
  });
}

/** Hibernation's jobs over a world's ports, the tenants' activity faked in memory. */
export function worldHibernationJobs(world: World): JobDefinition[] {
  return hibernationJobDefinitions({
    hibernation: new HibernationService({
      odoo: world.odoo,
      docker: world.docker,
      proxy: world.proxy,
      tenant: world.tenant,
      limits: world.limits,
      activity: new FakeActivity(world.docker),
      identity: world.identity,
      logger: pino({ level: 'silent' }),
      wakeUpstream: '127.0.0.1:3000',
      readyTimeoutMs: 1_000,
    }),
    queue: new FakeJobQueue(),
    locks: world.locks,
  });
}

/** The plan change and usage jobs over a world's ports; what they queue goes to a fake queue. */
export function worldPlanJobs(world: World, mail: MailService): JobDefinition[] {
  const queue = new FakeJobQueue();
  return planJobDefinitions({
    planChange: new PlanChangeService({
      odoo: world.odoo,
      docker: world.docker,
      db: world.db,
      tenant: world.tenant,
      limits: world.limits,
      proxy: world.proxy,
      identity: world.identity,
      logger: pino({ level: 'silent' }),
      readyTimeoutMs: 1_000,
      installApps: (instance, plan) => world.planApps.install(instance, plan),
      queueMail: (data) => enqueuePlanChangedMail(queue, data),
    }),
    usage: new UsageService({
      odoo: world.odoo,
      db: world.db,
      filestore: world.filestore,
      identity: world.identity,
    }),
    mail,
    queue,
    locks: world.locks,
    metrics: new Metrics(),
  });
}

/** The rolling update's job over a world's ports, its own ports faked in memory. */
export function worldUpdateJobs(world: World): JobDefinition[] {
  const versions = new FakeModuleVersions();
  const updates = new TenantUpdateService({
    odoo: world.odoo,
    records: new FakeRolloutRecords(),
    backups: new FakeUpdateBackups(versions),
    docker: world.docker,
    db: world.db,
    versions,
    tenant: world.tenant,
    proxy: world.proxy,
    identity: world.identity,
    runtime: RUNTIME,
    dataDirOf: (db) => `/srv/tenants/${db}`,
    availableVersion: async () => '17.0.1.2.0',
    readyTimeoutMs: 1_000,
    updateTimeoutMs: 1_000,
    logger: pino({ level: 'silent' }),
  });
  return [
    updateInstanceJob({
      updates,
      oneJobPerInstance: (handler) => oneJobPerInstance(world.locks, handler),
    }),
  ];
}

/** The backup jobs over a world's ports; restic itself is never reached by the jobs tests call. */
export function worldBackupJobs(world: World): JobDefinition[] {
  const instanceBackups = new InstanceBackupService({
    odoo: world.odoo,
    records: new FakeBackupRecords(),
    backups: {} as BackupService,
    docker: world.docker,
    proxy: world.proxy,
    tenant: world.tenant,
    dataDirOf: (db) => `/srv/tenants/${db}`,
    identity: world.identity,
    readyTimeoutMs: 1_000,
    master: { database: 'saas_master', filestoreDir: undefined, keep: 3 },
    observer: { finished: () => undefined, newestAge: () => undefined },
    logger: pino({ level: 'silent' }),
  });
  return backupJobDefinitions({
    instanceBackups,
    oneJobPerInstance: (handler) => oneJobPerInstance(world.locks, handler),
    enqueue: async (_name, _data, { jobId }) => jobId,
    checkReadData: undefined,
  });
}

/** The custom domain jobs over a world's ports; the domains point nowhere (FakeDomainProbe). */
export function worldDomainJobs(world: World): JobDefinition[] {
  const domains = new CustomDomainService({
    odoo: world.odoo,
    domains: new FakeDomainRecords(),
    proxy: world.proxy,
    docker: world.docker,
    tenant: world.tenant,
    probe: new FakeDomainProbe(world.proxy),
    identity: world.identity,
    publicUrl: { scheme: 'https', port: undefined },
    checkPort: 80,
    renewUrl: (id) => `https://master.example.com/my/instances/${id}/renew`,
  });
  return domainJobDefinitions({ domains, locks: world.locks });
}

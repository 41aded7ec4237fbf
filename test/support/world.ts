import { pino } from 'pino';
import type { InstanceState, PlanRecord } from '../../src/ports/odoo.port.js';
import { LifecycleService } from '../../src/services/lifecycle.service.js';
import {
  ProvisioningService,
  type ProvisioningDeps,
} from '../../src/services/provisioning.service.js';
import { ReconcileService } from '../../src/services/reconcile.service.js';
import { TemplateService } from '../../src/services/template.service.js';
import { CapacityService, type CapacitySettings } from '../../src/services/capacity.service.js';
import { CapacityWatchService } from '../../src/services/capacity-watch.service.js';
import { FakeMail } from './fakes/fake-mail.js';
import { PlanAppsService } from '../../src/services/plan-apps.service.js';
import { TenantLimitsService } from '../../src/services/tenant-limits.js';
import { TenantIdentity } from '../../src/services/tenant-identity.js';
import type { TenantRuntime } from '../../src/services/tenant-runtime.js';
import type { StateMailData } from '../../src/schemas/job.schema.js';
import { CallLog, instrument } from './fakes/call-log.js';
import { FakeFinalBackup } from './fakes/fake-final-backup.js';
import { FakeDatabase } from './fakes/fake-database.js';
import { FakeDocker } from './fakes/fake-docker.js';
import { FakeFilestore } from './fakes/fake-filestore.js';
import { FakeLocks } from './fakes/fake-locks.js';
import { FakeOdoo, type FakeInstance } from './fakes/fake-odoo.js';
import { FakeProxy } from './fakes/fake-proxy.js';
import { FakeTenant } from './fakes/fake-tenant.js';

export const BASE_DOMAIN = 'saas.example.com';
export const TEMPLATE_USER = 'saas_template';
export const OWNER = 'fake-master-uuid-0001';
export const BRIDGE_SECRET = 'tenant-bridge-secret-for-unit-tests-0123456789';

/** the stable tenant ref the master gave instance `id` (names never come from the subdomain) */
export function refOf(id: number): string {
  return `tref${String(id).padStart(7, '0')}`;
}

/** database/role/data dir and container of instance `id` */
export function namesOf(id: number): { db: string; container: string } {
  return { db: `tenant_${refOf(id)}`, container: `saas-tenant-${refOf(id)}` };
}

export const STARTER_PLAN: PlanRecord = {
  id: 7,
  code: 'starter',
  name: 'Starter',
  periodMonths: 1,
  trialDays: 0,
  maxUsers: 3,
  storageMb: 2048,
  cpuLimit: 1,
  memoryMb: 1024,
  workers: 0,
  modules: ['sale', 'crm'],
};

export function draftInstance(overrides: Partial<FakeInstance> = {}): FakeInstance {
  return {
    id: 1,
    tenantRef: refOf(overrides.id ?? 1),
    subdomain: 'acme',
    state: 'draft',
    planId: STARTER_PLAN.id,
    partnerId: 42,
    partnerName: 'Ana García',
    partnerEmail: 'ana@example.com',
    companyName: 'Acme SL',
    lang: 'es_ES',
    expirationDate: '2030-01-31',
    url: undefined,
    dbName: undefined,
    containerRef: undefined,
    adminLogin: undefined,
    initialPassword: undefined,
    provisionedAt: undefined,
    purgedAt: undefined,
    ...overrides,
  };
}

/** the platform's relay, as TENANT_SMTP_* give it */
export const MAIL_RELAY = {
  host: '172.30.0.1',
  port: 1025,
  user: 'relay-user',
  password: 'relay-secret-1',
  encryption: 'none' as const,
};

export const RUNTIME: TenantRuntime = {
  image: 'odoo:17',
  odooSrc: undefined,
  addonsPath: '/mnt/extra-addons',
  saasAddonsDir: '/srv/odoo-addons',
  network: 'saas_tenants',
  dbHost: '172.30.0.1',
  dbPort: 5432,
};

export type World = ReturnType<typeof buildWorld>;

/**
 * The services wired to in-memory fakes of every port, each call logged in `log` (which can make
 * any call fail). `welcomes` are the instance ids whose welcome mail was queued.
 */
export function buildWorld() {
  const log = new CallLog();
  const odoo = new FakeOdoo();
  const docker = new FakeDocker();
  const db = new FakeDatabase();
  const filestore = new FakeFilestore();
  const proxy = new FakeProxy();
  const locks = new FakeLocks();
  const tenant = new FakeTenant(docker, db);
  const welcomes: number[] = [];
  const stateMails: (StateMailData & { key: string })[] = [];
  const finalBackup = new FakeFinalBackup(db, filestore);
  const provisionRequests: number[] = [];
  const stateCounts: Record<InstanceState, number>[] = [];
  const logger = pino({ level: 'silent' });
  const identity = new TenantIdentity({
    owner: OWNER,
    baseDomain: BASE_DOMAIN,
    bridgeSecret: BRIDGE_SECRET,
  });

  odoo.addPlan(STARTER_PLAN);
  db.roles.set(TEMPLATE_USER, 'template-password'); // scripts/setup creates it
  const ports = {
    odoo: instrument(odoo, 'odoo', log),
    docker: instrument(docker, 'docker', log),
    db: instrument(db, 'db', log),
    filestore: instrument(filestore, 'filestore', log),
    proxy: instrument(proxy, 'proxy', log),
    locks: instrument(locks, 'locks', log),
    tenant: instrument(tenant, 'tenant', log),
    // like JobProducers.enqueueWelcome, whose jobId welcome-<id> makes a second add a no-op
    finalBackup: instrument(finalBackup, 'backup', log),
    // like enqueueStateMail, whose job id makes a second add of one kind and event a no-op
    mails: instrument(
      {
        queue: async (data: StateMailData, eventId: string) => {
          const key = `${data.kind}-${data.instanceId}-${eventId}`;
          if (!stateMails.some((m) => m.key === key)) stateMails.push({ key, ...data });
        },
      },
      'mails',
      log,
    ),
    welcome: instrument(
      { queue: async (id: number) => void (welcomes.includes(id) || welcomes.push(id)) },
      'welcome',
      log,
    ),
  };
  const templates = new TemplateService({
    locales: [{ lang: 'es_ES', country: 'ES' }],
    db: ports.db,
    docker: ports.docker,
    filestore: ports.filestore,
    locks: ports.locks,
    runtime: RUNTIME,
    logger,
    templateUser: TEMPLATE_USER,
    templatePassword: 'template-password',
    odooBuild: 'sha256:fake-odoo-17|addons-v1',
  });
  // the host's room, on the raw fakes: its reads are not part of the call logs tests compare
  const capacitySettings: CapacitySettings = {
    memoryMb: 16_384,
    memoryOvercommit: 1,
    cpus: 8,
    cpuOvercommit: 10,
    spareConnections: 20,
    minFreeDiskMb: 1024,
    defaultFootprintMb: 150,
    alertPercent: 80,
  };
  const host = { freeDiskMb: 100_000 };
  const capacity = new CapacityService({
    db,
    docker,
    plans: () => odoo.listPlans(),
    freeDiskMb: async () => host.freeDiskMb,
    settings: capacitySettings,
  });
  const limits = new TenantLimitsService({
    odoo: ports.odoo,
    tenant: ports.tenant,
    identity,
    logger,
    upgradeUrl: (id) => `https://master.example.com/my/instances/${id}`,
  });
  const provisioningDeps: ProvisioningDeps = {
    odoo: ports.odoo,
    tenant: ports.tenant,
    db: ports.db,
    docker: ports.docker,
    filestore: ports.filestore,
    proxy: ports.proxy,
    templates,
    limits,
    runtime: RUNTIME,
    identity,
    logger,
    publicUrl: { baseDomain: BASE_DOMAIN, scheme: 'https', port: undefined },
    readyTimeoutMs: 5_000,
    mailRelay: MAIL_RELAY,
    capacity,
    onRunning: (id) => ports.welcome.queue(id),
  };
  const provisioning = new ProvisioningService(provisioningDeps);
  const planApps = new PlanAppsService({ docker: ports.docker, tenant: ports.tenant, identity });
  const lifecycle = new LifecycleService({
    odoo: ports.odoo,
    docker: ports.docker,
    proxy: ports.proxy,
    tenant: ports.tenant,
    db: ports.db,
    filestore: ports.filestore,
    finalBackup: ports.finalBackup,
    queueMail: (data, eventId) => ports.mails.queue(data, eventId),
    provisioning,
    identity,
    logger,
    limits,
    planApps,
    renewUrl: (id) => `https://master.example.com/my/instances/${id}/renew`,
    readyTimeoutMs: 5_000,
  });
  const reconcile = new ReconcileService({
    odoo: ports.odoo,
    docker: ports.docker,
    proxy: ports.proxy,
    identity,
    limits,
    logger,
    requestProvision: async (id) => void provisionRequests.push(id),
    recordStates: (counts) => void stateCounts.push(counts),
  });
  const capacityMails = new FakeMail();
  const capacityWatch = new CapacityWatchService({
    capacity,
    odoo,
    mailer: capacityMails,
    logger,
    alertTo: 'ops@saas.example.com',
    requestProvision: async (id) => void provisionRequests.push(id),
    record: () => undefined,
  });
  return {
    capacity,
    capacitySettings,
    host,
    capacityWatch,
    capacityMails,
    log,
    odoo,
    docker,
    db,
    filestore,
    proxy,
    locks,
    tenant,
    welcomes,
    stateMails,
    finalBackup,
    provisionRequests,
    stateCounts,
    templates,
    limits,
    planApps,
    identity,
    provisioningDeps,
    provisioning,
    lifecycle,
    reconcile,
  };
}

/** A world with one draft instance (id 1, "acme"); `provisioned` runs provisioning once. */
export async function worldWithInstance(
  overrides: Partial<FakeInstance> = {},
  provisioned = false,
) {
  const world = buildWorld();
  world.odoo.addInstance(draftInstance(overrides));
  if (provisioned) await world.provisioning.provision(overrides.id ?? 1);
  return world;
}

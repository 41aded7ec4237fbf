/**
 * A plan change applied to a real tenant: a template built by TemplateService (Odoo -i
 * base,saas_tenant in the tenant image), a clone and its container made by the provisioning steps,
 * configured as the bridge's technical user; then PlanChangeService raises the container's memory
 * and CPU live (docker inspect shows it, the container did not restart), writes the new limits
 * into the tenant and installs Pro's module, and UsageService measures the tenant from outside.
 * Runs only with ODOO_SRC set; heavy: hold the machine lock.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonFingerprint } from '../../src/adapters/addon-fingerprint.js';
import { DockerAdapter } from '../../src/adapters/docker.adapter.js';
import { FilestoreAdapter } from '../../src/adapters/filestore.adapter.js';
import { OdooClient } from '../../src/adapters/odoo.client.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { TenantOdooRepository } from '../../src/adapters/tenant-odoo.repository.js';
import type { InstancePatch, OdooPort, PlanRecord } from '../../src/ports/odoo.port.js';
import type { ProxyPort } from '../../src/ports/proxy.port.js';
import type { PlanChangedMailData } from '../../src/schemas/job.schema.js';
import { PlanAppsService } from '../../src/services/plan-apps.service.js';
import { PlanChangeService } from '../../src/services/plan-change.service.js';
import { ensureContainer } from '../../src/services/provisioning/container.step.js';
import type { ProvisionContext, ReadyTenant } from '../../src/services/provisioning/context.js';
import { ensureDatabase } from '../../src/services/provisioning/database.step.js';
import { TemplateService } from '../../src/services/template.service.js';
import { tenantLimitsOf } from '../../src/services/tenant-limits.js';
import { BRIDGE_LOGIN, TenantIdentity } from '../../src/services/tenant-identity.js';
import { UsageService } from '../../src/services/usage.service.js';
import { FakeLocks } from '../support/fakes/fake-locks.js';
import { logFigure, unavailable } from '../support/integration/availability.js';
import { pgAdminUrl } from '../support/integration/pg-admin.js';
import { realTenantRuntime } from '../support/integration/real-tenant.js';
import { docker as dockerCli } from '../support/integration/run.js';
import { draftInstance } from '../support/world.js';

const ODOO_SRC = process.env.ODOO_SRC;
const IMAGE = process.env.TENANT_IMAGE ?? 'saas-odoo-runtime:17';
const docker = new DockerAdapter(process.env.DOCKER_SOCKET ?? '/var/run/docker.sock');
const skip = ODOO_SRC
  ? await unavailable('Docker engine with the tenant image and PostgreSQL', async () => {
      if (!(await docker.imageId(IMAGE))) throw new Error(`image ${IMAGE} missing`);
      const probe = new PostgresAdapter(await pgAdminUrl());
      await probe.ping().finally(() => probe.close());
    })
  : (console.error('SKIP plan-change integration: ODOO_SRC is not set'), 'no ODOO_SRC');

const run = randomBytes(3).toString('hex');
const REF = `ip${run}`;
const DB = `tenant_${REF}`;
// shared with the tenant-odoo.repository test: the same plan code reuses its template
const DATA_DIR = '/tmp/saas-it-tenant-odoo';
const PASSWORD = `Customer-${randomBytes(6).toString('hex')}`;
const BASIC: PlanRecord = {
  id: 1,
  code: 'it_tenant_repo',
  name: 'Basic',
  periodMonths: 1,
  trialDays: 0,
  maxUsers: 2,
  storageMb: 512,
  cpuLimit: 1,
  memoryMb: 1024,
  workers: 0,
  modules: [],
};
const PRO: PlanRecord = {
  ...BASIC,
  id: 2,
  code: 'it_pro',
  name: 'Pro',
  maxUsers: 10,
  storageMb: 4096,
  cpuLimit: 2,
  memoryMb: 2048,
  // a module Basic's template lacks, small enough to install in seconds
  modules: ['base_iban'],
};

const instance = draftInstance({
  id: 7,
  tenantRef: REF,
  subdomain: `ip-${run}`,
  state: 'running',
  planId: PRO.id,
  dbName: DB,
  provisionedAt: '2026-12-01 00:00:00',
});
const notes: string[] = [];
const patches: InstancePatch[] = [];
const mails: PlanChangedMailData[] = [];
/** the master as these services use it: the instance (now on Pro), its plans, notes, writes */
const master = new Proxy(
  {
    getInstance: async () => instance,
    getPlan: async (id: number) => (id === PRO.id ? PRO : BASIC),
    listInstances: async () => [instance],
    postNote: async (_id: number, body: string) => void notes.push(body),
    updateInstance: async (_id: number, patch: InstancePatch) => void patches.push(patch),
  } as unknown as OdooPort,
  {
    get: (target, key) =>
      (target as unknown as Record<string | symbol, unknown>)[key] ??
      (() => Promise.reject(new Error(`not used here: ${String(key)}`))),
  },
);
const noProxy = new Proxy({} as ProxyPort, {
  get: (_t, key) => () => Promise.reject(new Error(`not used here: ${String(key)}`)),
});

let db: PostgresAdapter;
let filestore: FilestoreAdapter;
let tenant: ReadyTenant;
const repository = new TenantOdooRepository({
  setConfigParameter: (name, key, value) => db.setConfigParameter(name, key, value),
  getConfigParameter: (name, key) => db.getConfigParameter(name, key),
  setConfigParameters: (name, values) => db.setConfigParameters(name, values),
});
// the limits step over the real repository, with the plan the test hands it as the only one
const limits = {
  apply: (instance: Parameters<typeof tenantLimitsOf>[0], plan: PlanRecord) =>
    repository.applyLimits(
      instance.dbName ?? DB,
      tenantLimitsOf(instance, plan, [plan], `http://master.test/my/instances/${instance.id}`),
    ),
};
const identity = new TenantIdentity({
  owner: `it-owner-${run}`,
  baseDomain: 'saas.test',
  bridgeSecret: randomBytes(24).toString('hex'),
});
const container = `saas-tenant-${REF}`;

async function limitsOf(): Promise<{ memoryMb: number; cpus: number; startedAt: string }> {
  const [info] = JSON.parse(await dockerCli('inspect', container)) as {
    HostConfig: { Memory: number; NanoCpus: number };
    State: { StartedAt: string };
  }[];
  if (!info) throw new Error(`docker inspect ${container}: nothing`);
  return {
    memoryMb: info.HostConfig.Memory / 1024 / 1024,
    cpus: info.HostConfig.NanoCpus / 1e9,
    startedAt: info.State.StartedAt,
  };
}

describe.skipIf(skip)('a plan change applied to a real tenant', () => {
  beforeAll(async () => {
    db = new PostgresAdapter(await pgAdminUrl());
    filestore = new FilestoreAdapter(DATA_DIR, Number(process.env.TENANT_UID ?? 101));
    const runtime = await realTenantRuntime(docker, ODOO_SRC, IMAGE);
    const logger = pino({ level: 'silent' });
    const templates = new TemplateService({
      db,
      docker,
      filestore,
      locks: new FakeLocks(),
      runtime,
      logger,
      templateUser: process.env.PG_TEMPLATE_USER ?? 'saas_template',
      templatePassword: process.env.PG_TEMPLATE_PASSWORD ?? '',
      odooBuild: `it|${await docker.imageId(IMAGE)}|${await addonFingerprint(
        path.join(runtime.saasAddonsDir, 'saas_tenant'),
        ODOO_SRC,
      )}`,
    });
    const deps = {
      odoo: master,
      proxy: noProxy,
      tenant: repository,
      db,
      docker,
      filestore,
      templates,
      limits,
      runtime,
      identity,
      logger,
      publicUrl: { baseDomain: 'saas.test', scheme: 'http' as const, port: undefined },
      readyTimeoutMs: 180_000,
      onRunning: () => Promise.resolve(),
    };
    const template = await templates.ensure(BASIC);
    // the tenant as provisioning made it on Basic
    const ctx: ProvisionContext = {
      instance: { ...instance, state: 'draft', planId: BASIC.id, provisionedAt: undefined },
      plan: BASIC,
      names: identity.namesOf(instance),
      container: undefined,
      initialPassword: PASSWORD,
      log: logger,
    };
    await ensureDatabase(deps, ctx, { kind: 'template', template });
    tenant = await ensureContainer(deps, ctx);
    await repository.configure(
      tenant.directUrl,
      DB,
      { login: BRIDGE_LOGIN, key: identity.bridgeKey(REF) },
      {
        companyName: 'Acme SL',
        companyEmail: 'ana@example.com',
        lang: 'es_ES',
        adminLogin: 'ana@example.com',
        baseUrl: 'https://acme.localhost',
        adminPassword: PASSWORD,
        multiCompany: false,
        limits: { planCode: BASIC.code, maxUsers: 2, storageMb: 512, expirationDate: '2030-01-31' },
      },
    );
  }, 900_000);

  afterAll(async () => {
    if (!db) return;
    await docker.removeContainer(container);
    await db.dropDatabase(DB);
    await db.dropRole(DB);
    await rm(path.join(DATA_DIR, DB), { recursive: true, force: true });
    await db.close();
  });

  it('raises memory and CPU live, writes the new limits, and queues the mail', async () => {
    const before = await limitsOf();
    expect(before).toMatchObject({ memoryMb: 1024, cpus: 1 });
    const service = new PlanChangeService({
      odoo: master,
      docker,
      db,
      limits,
      tenant: repository,
      proxy: noProxy,
      identity,
      logger: pino({ level: 'silent' }),
      readyTimeoutMs: 60_000,
      installApps: (i, plan) =>
        new PlanAppsService({ docker, tenant: repository, identity }).install(i, plan),
      queueMail: async (data) => void mails.push(data),
    });
    const started = Date.now();
    expect(await service.apply(instance.id, 'event-1')).toBe('plan applied');
    const took = Date.now() - started;
    const after = await limitsOf();
    expect(after).toMatchObject({ memoryMb: 2048, cpus: 2 });
    // live: the same run of the container
    expect(after.startedAt).toBe(before.startedAt);
    logFigure(
      `plan change applied: docker inspect memory ${before.memoryMb} -> ${after.memoryMb} MB, CPU ${before.cpus} -> ${after.cpus}, live in ${took} ms`,
    );
    const customer = new OdooClient({
      url: tenant.directUrl,
      db: DB,
      login: 'ana@example.com',
      password: PASSWORD,
      timeoutMs: 30_000,
    });
    for (const [key, value] of [
      ['saas_tenant.max_users', '10'],
      ['saas_tenant.storage_mb', '4096'],
      ['saas_tenant.plan_code', 'it_pro'],
    ])
      expect(await customer.executeKw('ir.config_parameter', 'get_param', [key])).toBe(value);
    expect(notes.at(-1)).toMatch(/Plan Pro applied: container updated live to 2048 MB/);
    expect(notes.at(-1)).toMatch(/apps installed: base_iban/);
    const [iban] = (await customer.executeKw('ir.module.module', 'search_read', [
      [['name', '=', 'base_iban']],
      ['state'],
    ])) as { state: string }[];
    expect(iban?.state).toBe('installed');
    expect(mails).toEqual([{ instanceId: instance.id, eventId: 'event-1', planCode: 'it_pro' }]);
    // applied again (a retried job): the same limits, nothing else
    await service.apply(instance.id, 'event-1');
    expect(await limitsOf()).toMatchObject({ memoryMb: 2048, cpus: 2 });
    expect(notes.at(-1)).toMatch(/apps: base_iban already installed/);
  });

  it('measures users, database and filestore from outside and writes them', async () => {
    const usage = new UsageService({ odoo: master, db, filestore, identity });
    const measured = await usage.measure(instance.id);
    // the customer's admin is the only internal user; the bridge's technical user does not count
    expect(measured?.users).toBe(1);
    expect(measured?.dbMb).toBeGreaterThan(1);
    expect(measured?.filestoreMb).toBeGreaterThanOrEqual(0);
    expect(patches.at(-1)).toEqual({
      usage_users: measured?.users,
      usage_db_mb: measured?.dbMb,
      usage_filestore_mb: measured?.filestoreMb,
    });
    logFigure(
      `usage measured: ${measured?.users} users, db ${measured?.dbMb} MB, filestore ${measured?.filestoreMb} MB`,
    );
  });
});

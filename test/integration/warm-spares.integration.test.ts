/**
 * Warm spares on real parts: a spare made by SpareService (a real template clone, a real tenant
 * container booted), an order provisioned by the real ProvisioningService taking it (the company
 * and admin set over the tenant's JSON-RPC, the route in a real Caddy), and a second order, with no
 * spare left, provisioned by the template path. The master is the in-memory FakeOdoo (our own
 * port). The time from each order to its /web/login answering 200 through Caddy is printed, never
 * asserted. Runs only with ODOO_SRC set; heavy: hold the machine lock.
 */
import { randomBytes } from 'node:crypto';
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonFingerprint } from '../../src/adapters/addon-fingerprint.js';
import { CaddyProxyAdapter } from '../../src/adapters/caddy-proxy.adapter.js';
import { DockerAdapter } from '../../src/adapters/docker.adapter.js';
import { FilestoreAdapter } from '../../src/adapters/filestore.adapter.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { TenantOdooRepository } from '../../src/adapters/tenant-odoo.repository.js';
import type { PlanRecord } from '../../src/ports/odoo.port.js';
import { ProvisioningService } from '../../src/services/provisioning.service.js';
import { SpareService } from '../../src/services/spare.service.js';
import { TemplateService } from '../../src/services/template.service.js';
import { TenantIdentity } from '../../src/services/tenant-identity.js';
import { TenantLimitsService } from '../../src/services/tenant-limits.js';
import { MANAGED_LABEL } from '../../src/services/tenant-runtime.js';
import { FakeLocks } from '../support/fakes/fake-locks.js';
import { FakeOdoo } from '../support/fakes/fake-odoo.js';
import { logFigure, unavailable, waitFor } from '../support/integration/availability.js';
import { CADDY_BIN, startCaddy, type CaddyInstance } from '../support/integration/caddy.js';
import { httpGet } from '../support/integration/net.js';
import { pgAdminUrl } from '../support/integration/pg-admin.js';
import { realTenantRuntime } from '../support/integration/real-tenant.js';
import { draftInstance } from '../support/world.js';

const ODOO_SRC = process.env.ODOO_SRC;
const IMAGE = process.env.TENANT_IMAGE ?? 'saas-odoo-runtime:17';
const docker = new DockerAdapter(process.env.DOCKER_SOCKET ?? '/var/run/docker.sock');
const skip = ODOO_SRC
  ? await unavailable('Docker engine with the tenant image, PostgreSQL and Caddy', async () => {
      if (!(await docker.imageId(IMAGE))) throw new Error(`image ${IMAGE} missing`);
      await access(CADDY_BIN);
      const probe = new PostgresAdapter(await pgAdminUrl());
      await probe.ping().finally(() => probe.close());
    })
  : (console.error('SKIP warm spares integration: ODOO_SRC is not set'), 'no ODOO_SRC');

const run = randomBytes(3).toString('hex');
// shared with the tenant-odoo.repository, plan-change and hibernation tests: the template is reused
const DATA_DIR = '/tmp/saas-it-tenant-odoo';
const PLAN: PlanRecord = {
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
const identity = new TenantIdentity({
  owner: `it-owner-${run}`,
  baseDomain: 'saas.test',
  bridgeSecret: randomBytes(24).toString('hex'),
});
const order = (id: number) =>
  draftInstance({
    id,
    tenantRef: `ws${run}${id}`,
    subdomain: `ws-${run}-${id}`,
    planId: PLAN.id,
    companyName: `Warm ${id} SL`,
    countryCode: undefined,
    lang: 'en_US',
  });

const master = new FakeOdoo();
const repository = new TenantOdooRepository({
  setConfigParameter: (name, key, value) => db.setConfigParameter(name, key, value),
  getConfigParameter: (name, key) => db.getConfigParameter(name, key),
  setConfigParameters: (name, values) => db.setConfigParameters(name, values),
});
let db: PostgresAdapter;
let caddy: CaddyInstance;
let spares: SpareService;
let provisioning: ProvisioningService;
const replenishRequests: string[] = [];

/** order confirmed -> provisioned -> /web/login 200 through Caddy, in seconds */
async function orderToLogin(id: number): Promise<number> {
  const started = Date.now();
  expect(await provisioning.provision(id)).toBe('running');
  const host = identity.namesOf(master.instance(id)).host;
  await waitFor(`${host} answering through Caddy`, 30_000, async () => {
    const answer = await httpGet(`${caddy.httpUrl}/web/login`, host);
    return answer.status === 200 ? answer : undefined;
  });
  return (Date.now() - started) / 1000;
}

describe.skipIf(skip)('a warm spare taken by an order, on a real tenant', () => {
  beforeAll(async () => {
    db = new PostgresAdapter(await pgAdminUrl());
    const filestore = new FilestoreAdapter(DATA_DIR, Number(process.env.TENANT_UID ?? 101));
    const runtime = await realTenantRuntime(docker, ODOO_SRC, IMAGE);
    const logger = pino({ level: 'silent' });
    const locks = new FakeLocks();
    const templates = new TemplateService({
      db,
      docker,
      filestore,
      locks,
      runtime,
      logger,
      templateUser: process.env.PG_TEMPLATE_USER ?? 'saas_template',
      templatePassword: process.env.PG_TEMPLATE_PASSWORD ?? '',
      odooBuild: `it|${await docker.imageId(IMAGE)}|${await addonFingerprint(
        path.join(runtime.saasAddonsDir, 'saas_tenant'),
        ODOO_SRC,
      )}`,
    });
    master.addPlan(PLAN);
    master.addInstance(order(1));
    master.addInstance(order(2));
    caddy = await startCaddy();
    spares = new SpareService({
      db,
      docker,
      filestore,
      tenant: repository,
      locks,
      templates,
      identity,
      runtime,
      logger,
      readyTimeoutMs: 180_000,
      setting: { [PLAN.code]: 1 },
    });
    provisioning = new ProvisioningService({
      odoo: master,
      tenant: repository,
      db,
      docker,
      filestore,
      proxy: new CaddyProxyAdapter(caddy.adminUrl, caddy.server),
      templates,
      limits: new TenantLimitsService({
        odoo: master,
        tenant: repository,
        identity,
        logger,
        upgradeUrl: (id) => `http://master.test/my/instances/${id}`,
      }),
      runtime,
      identity,
      logger,
      publicUrl: { baseDomain: 'saas.test', scheme: 'http', port: undefined },
      readyTimeoutMs: 180_000,
      spares,
      onSpareTaken: async (plan) => void replenishRequests.push(plan.code),
      onRunning: () => Promise.resolve(),
    });
    await templates.ensure(PLAN);
  }, 900_000);

  afterAll(async () => {
    if (caddy) await caddy.stop();
    if (!db) return;
    const ours = (await docker.listContainers(MANAGED_LABEL)).filter(
      (c) => c.labels['saas.owner'] === identity.owner,
    );
    const refs = new Set([
      ...ours.map((c) => c.labels['saas.tenant'] ?? ''),
      order(1).tenantRef,
      order(2).tenantRef,
    ]);
    for (const c of ours) await docker.removeContainer(c.name);
    for (const ref of refs) {
      if (!ref) continue;
      await db.dropDatabase(`tenant_${ref}`);
      await db.dropRole(`tenant_${ref}`);
      await rm(path.join(DATA_DIR, `tenant_${ref}`), { recursive: true, force: true });
    }
    await db.close();
  });

  it('hands the spare to the first order and clones the template for the next', async () => {
    const madeAt = Date.now();
    const made = await spares.replenish(await master.listPlans());
    const spareS = (Date.now() - madeAt) / 1000;
    expect(made.made).toHaveLength(1);
    const spare = (await docker.listContainers(MANAGED_LABEL)).find(
      (c) => c.name === made.made[0],
    )!;
    const ref = spare.labels['saas.tenant']!;

    const warmS = await orderToLogin(1);
    const taker = master.instance(1);
    expect(taker).toMatchObject({ tenantRef: ref, state: 'running', containerRef: spare.name });
    expect(await db.databaseMarker(`tenant_${ref}`)).toBe(
      `saas:instance:1 owner:${identity.owner}`,
    );
    // the customer's admin and company are in the spare's database now
    expect(
      await repository.canLogin(
        taker.directUrl!,
        `tenant_${ref}`,
        taker.adminLogin!,
        taker.initialPassword!,
      ),
    ).toBe(true);
    expect(replenishRequests).toEqual([PLAN.code]);

    // no spare left: the template path, measured on the same machine for comparison
    const templateS = await orderToLogin(2);
    expect(master.instance(2).tenantRef).toBe(order(2).tenantRef);
    logFigure(
      `warm spares: order -> /web/login 200 through Caddy: spare ${warmS.toFixed(2)} s, ` +
        `template path ${templateS.toFixed(2)} s (making the spare took ${spareS.toFixed(2)} s)`,
    );
  }, 600_000);
});

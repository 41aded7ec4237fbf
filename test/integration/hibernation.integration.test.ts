/**
 * Hibernation end to end on real parts: a real tenant (template clone and container made by the
 * provisioning steps), a real Caddy routing its host, the bridge's wake route on a real HTTP port,
 * and idleness read from the tenant's own Odoo request log through the Docker engine. The master is
 * the in-memory FakeOdoo (our own port), its plan sleeping after 3 s (a tiny idle setting).
 * The tenant sleeps after its idle time, a request through Caddy gets the waking page and wakes
 * it, and the time from that request to its login page answering 200 through Caddy is printed.
 * Runs only with ODOO_SRC set; heavy: hold the machine lock.
 */
import { randomBytes } from 'node:crypto';
import { access, rm } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonFingerprint } from '../../src/adapters/addon-fingerprint.js';
import { CaddyProxyAdapter } from '../../src/adapters/caddy-proxy.adapter.js';
import { DockerAdapter } from '../../src/adapters/docker.adapter.js';
import { FilestoreAdapter } from '../../src/adapters/filestore.adapter.js';
import { OdooRequestLogAdapter } from '../../src/adapters/odoo-request-log.adapter.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { TenantOdooRepository } from '../../src/adapters/tenant-odoo.repository.js';
import { wakeRoute } from '../../src/http/wake.route.js';
import type { PlanRecord } from '../../src/ports/odoo.port.js';
import { HibernationService } from '../../src/services/hibernation.service.js';
import { ensureContainer } from '../../src/services/provisioning/container.step.js';
import type { ProvisionContext } from '../../src/services/provisioning/context.js';
import { ensureDatabase } from '../../src/services/provisioning/database.step.js';
import { TemplateService } from '../../src/services/template.service.js';
import { TenantIdentity } from '../../src/services/tenant-identity.js';
import { TenantLimitsService } from '../../src/services/tenant-limits.js';
import { ODOO_HTTP_PORT } from '../../src/services/tenant-runtime.js';
import { FakeLocks } from '../support/fakes/fake-locks.js';
import { FakeOdoo } from '../support/fakes/fake-odoo.js';
import { logFigure, unavailable, waitFor } from '../support/integration/availability.js';
import { CADDY_BIN, startCaddy, type CaddyInstance } from '../support/integration/caddy.js';
import { closeServer, httpGet } from '../support/integration/net.js';
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
  : (console.error('SKIP hibernation integration: ODOO_SRC is not set'), 'no ODOO_SRC');

const run = randomBytes(3).toString('hex');
const REF = `hb${run}`;
const DB = `tenant_${REF}`;
// shared with the tenant-odoo.repository and plan-change tests: the same plan code reuses its template
const DATA_DIR = '/tmp/saas-it-tenant-odoo';
const IDLE_S = 3;
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
  idleMinutes: IDLE_S / 60,
};
const identity = new TenantIdentity({
  owner: `it-owner-${run}`,
  baseDomain: 'saas.test',
  bridgeSecret: randomBytes(24).toString('hex'),
});
const instance = draftInstance({
  id: 9,
  tenantRef: REF,
  subdomain: `hb-${run}`,
  state: 'running',
  planId: PLAN.id,
  dbName: DB,
  provisionedAt: '2026-12-01 00:00:00',
});
const HOST = identity.namesOf(instance).host;
const container = `saas-tenant-${REF}`;

const master = new FakeOdoo();
let db: PostgresAdapter;
let caddy: CaddyInstance;
let bridge: http.Server;
let service: HibernationService;
const wakes: Promise<string>[] = [];

async function containerStatus(): Promise<string | undefined> {
  return (await docker.findContainer(container))?.status;
}

describe.skipIf(skip)('hibernation of a real tenant behind a real Caddy', () => {
  beforeAll(async () => {
    db = new PostgresAdapter(await pgAdminUrl());
    const filestore = new FilestoreAdapter(DATA_DIR, Number(process.env.TENANT_UID ?? 101));
    const runtime = await realTenantRuntime(docker, ODOO_SRC, IMAGE);
    const logger = pino({ level: 'silent' });
    const repository = new TenantOdooRepository({
      setConfigParameter: (name, key, value) => db.setConfigParameter(name, key, value),
      getConfigParameter: (name, key) => db.getConfigParameter(name, key),
      setConfigParameters: (name, values) => db.setConfigParameters(name, values),
    });
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
    master.addPlan(PLAN);
    master.addInstance(instance);
    caddy = await startCaddy();
    const proxy = new CaddyProxyAdapter(caddy.adminUrl, caddy.server);
    const deps = {
      odoo: master,
      proxy,
      tenant: repository,
      db,
      docker,
      filestore,
      templates,
      limits: { apply: async () => [] },
      runtime,
      identity,
      logger,
      publicUrl: { baseDomain: 'saas.test', scheme: 'http' as const, port: undefined },
      readyTimeoutMs: 180_000,
      onRunning: () => Promise.resolve(),
    };
    const template = await templates.ensure(PLAN);
    const ctx: ProvisionContext = {
      instance: { ...instance, state: 'draft', provisionedAt: undefined },
      plan: PLAN,
      names: identity.namesOf(instance),
      container: undefined,
      initialPassword: `Customer-${randomBytes(6).toString('hex')}`,
      log: logger,
    };
    await ensureDatabase(deps, ctx, { kind: 'template', template });
    const tenant = await ensureContainer(deps, ctx);
    await proxy.routeToUpstream(HOST, `${tenant.container.ip}:${ODOO_HTTP_PORT}`);

    // the bridge's wake route on a real port; the wake runs in-process here (the bridge queues it)
    const app = express();
    bridge = await new Promise<http.Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    const { port } = bridge.address() as { port: number };
    service = new HibernationService({
      odoo: master,
      docker,
      proxy,
      tenant: repository,
      limits: new TenantLimitsService({
        odoo: master,
        tenant: repository,
        identity,
        logger,
        upgradeUrl: (id) => `http://master.saas.test/my/instances/${id}`,
      }),
      activity: new OdooRequestLogAdapter(process.env.DOCKER_SOCKET ?? '/var/run/docker.sock'),
      identity,
      logger,
      wakeUpstream: `127.0.0.1:${port}`,
      // a loaded machine boots Odoo slowly; the figure says how long it took
      readyTimeoutMs: 180_000,
    });
    let waking: Promise<string> | undefined;
    app.use(
      wakeRoute({
        requestWake: async (id) => {
          if (waking) return;
          waking = service.wake(id).finally(() => (waking = undefined));
          wakes.push(waking);
        },
        logger,
      }),
    );
  }, 900_000);

  afterAll(async () => {
    if (bridge) await closeServer(bridge);
    if (caddy) await caddy.stop();
    if (!db) return;
    await docker.removeContainer(container);
    await db.dropDatabase(DB);
    await db.dropRole(DB);
    await rm(path.join(DATA_DIR, DB), { recursive: true, force: true });
    await db.close();
  });

  it('stays awake while visited, sleeps after its idle time, and a visit through Caddy wakes it', async () => {
    // a visitor: once Odoo has logged the request, the tenant is not idle
    expect((await httpGet(`${caddy.httpUrl}/web/login`, HOST)).status).toBe(200);
    await waitFor('the visit in the request log', 2_000, async () =>
      (await service.idleInstances()).length === 0 ? true : undefined,
    );

    const idle = await waitFor('the tenant idle for its plan time', 30_000, async () => {
      const ids = await service.idleInstances();
      return ids.length > 0 ? ids : undefined;
    });
    expect(idle).toEqual([instance.id]);
    expect(await service.sleep(instance.id)).toBe('sleeping');
    expect(await containerStatus()).toBe('exited');
    expect(master.instance(instance.id)).toMatchObject({ state: 'running', sleeping: true });
    // asleep: nothing left to put to sleep
    expect(await service.idleInstances()).toEqual([]);

    // a limit forced in its database while it sleeps is the plan's again once it is awake
    await db.setConfigParameter(DB, 'saas_tenant.max_users', '999');

    const started = Date.now();
    const first = await httpGet(`${caddy.httpUrl}/web/login`, HOST);
    expect(first.status).toBe(503);
    expect(first.headers['x-saas-waking']).toBe('1');
    expect(first.body).toContain('Waking up');
    expect(first.body).toContain('Despertando');
    // what the page's script does: ask again until the answer is the tenant's
    const woken = await waitFor('the tenant answering through Caddy', 200_000, async () => {
      const answer = await httpGet(`${caddy.httpUrl}/web/login`, HOST);
      return answer.headers['x-saas-waking'] ? undefined : answer;
    }).catch(async (err: unknown) => {
      console.error(`tenant log:\n${await docker.logTail(container, 40).catch(String)}`);
      throw err;
    });
    const wakeS = (Date.now() - started) / 1000;
    expect(woken.status).toBe(200);
    expect(woken.body).toContain('oe_login_form');
    expect(await Promise.all(wakes)).toEqual(['awake']);
    expect(await containerStatus()).toBe('running');
    expect(master.instance(instance.id).sleeping).toBe(false);
    expect(await db.getConfigParameter(DB, 'saas_tenant.max_users')).toBe(String(PLAN.maxUsers));
    // the scan reads when its scheduled actions are due straight from its database
    const nextCron = await db.nextCronAt(DB);
    expect(nextCron).toBeInstanceOf(Date);
    expect(Math.abs((nextCron?.getTime() ?? 0) - Date.now())).toBeLessThan(40 * 86_400_000);
    logFigure(
      `hibernation: wake through Caddy (first request -> /web/login 200) ${wakeS.toFixed(2)} s`,
    );
  }, 400_000);
});

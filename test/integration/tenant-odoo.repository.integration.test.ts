/**
 * TenantOdooRepository against a real tenant: a template built by TemplateService (Odoo -i base,saas_tenant
 * on the real PostgreSQL, in the tenant image), a clone and its container made by the provisioning steps,
 * configure() as the bridge's technical user, then the customer logs in with the new password.
 * Runs only with ODOO_SRC set (an Odoo 17 tree for the local tenant image); heavy: hold the machine lock.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonFingerprint } from '../../src/adapters/addon-fingerprint.js';
import { DockerAdapter } from '../../src/adapters/docker.adapter.js';
import { FilestoreAdapter } from '../../src/adapters/filestore.adapter.js';
import { OdooClient, OdooFaultError } from '../../src/adapters/odoo.client.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { TenantOdooRepository } from '../../src/adapters/tenant-odoo.repository.js';
import type { OdooPort, PlanRecord } from '../../src/ports/odoo.port.js';
import type { ProxyPort } from '../../src/ports/proxy.port.js';
import { ensureContainer } from '../../src/services/provisioning/container.step.js';
import type {
  ProvisionContext,
  ProvisioningDeps,
  ReadyTenant,
} from '../../src/services/provisioning/context.js';
import { ensureDatabase } from '../../src/services/provisioning/database.step.js';
import { TemplateService } from '../../src/services/template.service.js';
import { TenantLimitsService, tenantLimitsOf } from '../../src/services/tenant-limits.js';
import { BRIDGE_LOGIN, TenantIdentity } from '../../src/services/tenant-identity.js';
import { FakeLocks } from '../support/fakes/fake-locks.js';
import { FakeDomainRecords } from '../support/fakes/fake-domain-probe.js';
import { startHttpsEdge } from '../support/integration/https-edge.js';
import { httpsGet } from '../support/integration/net.js';
import { DomainProbeAdapter } from '../../src/adapters/domain-probe.adapter.js';
import { CustomDomainService } from '../../src/services/custom-domain.service.js';
import { ODOO_HTTP_PORT } from '../../src/services/tenant-runtime.js';
import { logFigure, unavailable, withoutOdooSrc } from '../support/integration/availability.js';
import { pgAdminUrl } from '../support/integration/pg-admin.js';
import { realTenantRuntime } from '../support/integration/real-tenant.js';
import { draftInstance } from '../support/world.js';

const ODOO_SRC = process.env.ODOO_SRC;
const IMAGE = process.env.TENANT_IMAGE ?? 'saas-odoo-runtime:17';
const docker = new DockerAdapter(process.env.DOCKER_SOCKET ?? '/var/run/docker.sock');
const skip =
  withoutOdooSrc() ??
  (await unavailable('Docker engine with the tenant image and PostgreSQL', async () => {
    if (!(await docker.imageId(IMAGE))) throw new Error(`image ${IMAGE} missing`);
    const probe = new PostgresAdapter(await pgAdminUrl());
    await probe.ping().finally(() => probe.close());
  }));

const run = randomBytes(3).toString('hex');
const REF = `it${run}`;
const DB = `tenant_${REF}`;
// kept between runs: a template is rebuilt only when Odoo or saas_tenant change
const DATA_DIR = '/tmp/saas-it-tenant-odoo';
const PASSWORD = `Customer-${randomBytes(6).toString('hex')}`;
const PLAN: PlanRecord = {
  id: 1,
  code: 'it_tenant_repo',
  name: 'Integration',
  periodMonths: 1,
  trialDays: 0,
  maxUsers: 2,
  storageMb: 512,
  cpuLimit: 1,
  memoryMb: 1024,
  workers: 0,
  modules: [],
};
const PRO: PlanRecord = { ...PLAN, id: 2, code: 'it_pro', name: 'Pro', modules: ['hr'], price: 39 };
const SETUP = {
  companyName: 'Acme Integración SL',
  companyEmail: 'ana@example.com',
  lang: 'es_ES',
  adminLogin: 'ana@example.com',
  adminPassword: PASSWORD,
  multiCompany: true,
  baseUrl: 'https://acme-it.localhost:8443',
  limits: { planCode: PLAN.code, maxUsers: 2, storageMb: 512, expirationDate: '2030-01-31' },
};

/** the provisioning steps under test need no master and no proxy */
const notUsed = new Proxy({} as OdooPort & ProxyPort, {
  get: (_t, key) => () => Promise.reject(new Error(`not used here: ${String(key)}`)),
});

let db: PostgresAdapter;
let deps: ProvisioningDeps;
let tenant: ReadyTenant;
// expiry writes go through the database (set up in beforeAll)
const repository = new TenantOdooRepository({
  setConfigParameter: (name, key, value) => db.setConfigParameter(name, key, value),
  getConfigParameter: (name, key) => db.getConfigParameter(name, key),
  setConfigParameters: (name, values) => db.setConfigParameters(name, values),
});
const identity = new TenantIdentity({
  owner: `it-owner-${run}`,
  baseDomain: 'saas.test',
  bridgeSecret: randomBytes(24).toString('hex'),
});

function asCustomer(password = PASSWORD): OdooClient {
  return new OdooClient({
    url: tenant.directUrl,
    db: DB,
    login: SETUP.adminLogin,
    password,
    timeoutMs: 30_000,
  });
}

async function rpc(service: string, method: string, args: unknown[]): Promise<unknown> {
  const response = await fetch(`${tenant.directUrl}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args } }),
  });
  return ((await response.json()) as { result?: unknown; error?: unknown }).error ?? null;
}

describe.skipIf(skip)('TenantOdooRepository against a real tenant Odoo', () => {
  beforeAll(async () => {
    db = new PostgresAdapter(await pgAdminUrl());
    const filestore = new FilestoreAdapter(DATA_DIR, Number(process.env.TENANT_UID ?? 101));
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
    deps = {
      odoo: notUsed,
      proxy: notUsed,
      tenant: repository,
      db,
      docker,
      filestore,
      templates,
      limits: new TenantLimitsService({
        odoo: { listPlans: async () => [PLAN, PRO] },
        tenant: repository,
        identity,
        logger,
        upgradeUrl: (id) => `https://shop.test/my/instances/${id}`,
      }),
      runtime,
      identity,
      logger,
      publicUrl: { baseDomain: 'saas.test', scheme: 'http', port: undefined },
      readyTimeoutMs: 180_000,
      onRunning: () => Promise.resolve(),
    };
    let started = Date.now();
    const template = await templates.ensure(PLAN);
    const built = Date.now() - started;
    const instance = draftInstance({ tenantRef: REF, subdomain: `it-${run}` });
    const ctx: ProvisionContext = {
      instance,
      plan: PLAN,
      names: identity.namesOf(instance),
      container: undefined,
      initialPassword: PASSWORD,
      log: logger,
    };
    started = Date.now();
    await ensureDatabase(deps, ctx, { kind: 'template', template });
    const cloned = Date.now() - started;
    started = Date.now();
    tenant = await ensureContainer(deps, ctx);
    logFigure(
      `real tenant: template ${built} ms (0 when reused), clone ${cloned} ms, container to /web/login 200 ${Date.now() - started} ms`,
    );
  }, 900_000);

  afterAll(async () => {
    if (!db) return;
    await docker.removeContainer(`saas-tenant-${REF}`);
    await db.dropDatabase(DB);
    await db.dropRole(DB);
    await rm(path.join(DATA_DIR, DB), { recursive: true, force: true });
    await db.close();
  });

  it("a fresh clone opens to nobody: not the template's admin/admin, not the customer yet", async () => {
    expect(await repository.canLogin(tenant.directUrl, DB, 'admin', 'admin')).toBe(false);
    expect(await repository.canLogin(tenant.directUrl, DB, SETUP.adminLogin, PASSWORD)).toBe(false);
  });

  it('refuses a bridge key made with another secret', async () => {
    const stranger = new TenantIdentity({
      owner: 'x',
      baseDomain: 'x',
      bridgeSecret: randomBytes(24).toString('hex'),
    });
    await expect(
      repository.configure(
        tenant.directUrl,
        DB,
        { login: BRIDGE_LOGIN, key: stranger.bridgeKey(REF) },
        SETUP,
      ),
    ).rejects.toMatchObject({ code: 'odoo_fault', permanent: true });
  });

  it('configures the tenant as the technical user; the customer logs in with the new password', async () => {
    const started = Date.now();
    await repository.configure(
      tenant.directUrl,
      DB,
      { login: BRIDGE_LOGIN, key: identity.bridgeKey(REF) },
      SETUP,
    );
    const took = Date.now() - started;
    // twice gives the same tenant (a retried job)
    await repository.configure(
      tenant.directUrl,
      DB,
      { login: BRIDGE_LOGIN, key: identity.bridgeKey(REF) },
      SETUP,
    );
    logFigure(`configure() as the technical user: ${took} ms`);
    expect(await repository.canLogin(tenant.directUrl, DB, SETUP.adminLogin, PASSWORD)).toBe(true);
    const customer = asCustomer();
    expect(await customer.authenticate()).toBe(2);
    // set up for several companies: the admin holds Odoo's multi-company group
    const [multi] = (await customer.executeKw('ir.model.data', 'search_read', [
      [
        ['module', '=', 'base'],
        ['name', '=', 'group_multi_company'],
      ],
      ['res_id'],
    ])) as { res_id: number }[];
    expect(
      await customer.executeKw('res.users', 'search_count', [
        [
          ['id', '=', 2],
          ['groups_id', 'in', [multi?.res_id ?? 0]],
        ],
      ]),
    ).toBe(1);
    const [company] = (await customer.executeKw('res.company', 'search_read', [[]], {
      fields: ['name', 'email'],
      limit: 1,
      order: 'id',
    })) as { name: string; email: string }[];
    expect(company).toEqual(
      expect.objectContaining({ name: SETUP.companyName, email: 'ana@example.com' }),
    );
    const limit = await customer.executeKw('ir.config_parameter', 'get_param', [
      'saas_tenant.max_users',
    ]);
    expect(limit).toBe('2');
    // links in its mails and portal use the public https address, frozen against a login elsewhere
    for (const [key, value] of [
      ['web.base.url', SETUP.baseUrl],
      ['web.base.url.freeze', 'True'],
    ])
      expect(await customer.executeKw('ir.config_parameter', 'get_param', [key])).toBe(value);
  });

  it("the customer's admin neither sees nor changes the technical user", async () => {
    const customer = asCustomer();
    const logins = (await customer.executeKw('res.users', 'search_read', [[]], {
      fields: ['login'],
      context: { active_test: false },
    })) as { login: string }[];
    expect(logins.map((u) => u.login)).not.toContain(BRIDGE_LOGIN);
    expect(logins.map((u) => u.login)).toContain(SETUP.adminLogin);
    const [bridgeId] = (await new OdooClient({
      url: tenant.directUrl,
      db: DB,
      login: BRIDGE_LOGIN,
      password: identity.bridgeKey(REF),
      timeoutMs: 30_000,
    }).executeKw('res.users', 'search', [[['login', '=', BRIDGE_LOGIN]]])) as number[];
    expect(bridgeId).toBeGreaterThan(2);
    const refused = await customer
      .executeKw('res.users', 'write', [[bridgeId], { active: false }])
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(OdooFaultError);
    expect((refused as OdooFaultError).faultName).toMatch(/AccessError/);
  });

  it("has a random master password of its own: Odoo's default 'admin' opens no database manager", async () => {
    const config = await readFile(path.join(DATA_DIR, DB, 'odoo.conf'), 'utf8');
    expect(config).toMatch(/^\[options\]\nadmin_passwd = \$pbkdf2-sha512\$/);
    const answer = (await rpc('db', 'change_admin_password', ['admin', 'taken-over'])) as {
      data?: { name?: string };
    } | null;
    expect(answer?.data?.name).toMatch(/AccessDenied/);
  });

  it('has only saas_tenant of our addons: saas_master is on no addons path of the tenant', async () => {
    const customer = asCustomer();
    await customer.executeKw('ir.module.module', 'update_list', []);
    const names = (await customer.executeKw(
      'ir.module.module',
      'search_read',
      [[['name', 'like', 'saas_']]],
      { fields: ['name'] },
    )) as { name: string }[];
    expect(names.map((m) => m.name)).toEqual(['saas_tenant']);
  });

  it('limits go straight into the database, the running tenant sees them, its admin cannot change them', async () => {
    const limits = tenantLimitsOf(
      draftInstance({ id: 5 }),
      PLAN,
      [PLAN, PRO],
      'https://shop.test/my/instances/5',
    );
    const changed = await repository.applyLimits(DB, limits);
    expect(changed).toContain('saas_tenant.app_plans');
    // the tenant's reports load their styles from the tenant itself, never its public host
    expect(changed).toContain('report.url');
    expect(await db.getConfigParameter(DB, 'report.url')).toBe('http://127.0.0.1:8069');
    expect(await repository.applyLimits(DB, limits)).toEqual([]);
    const customer = asCustomer();
    expect(
      await customer.executeKw('ir.config_parameter', 'get_param', ['saas_tenant.app_plans']),
    ).toBe('{"hr":"Pro"}');
    const refused = await customer
      .executeKw('ir.config_parameter', 'set_param', ['saas_tenant.max_users', '0'])
      .catch((err: unknown) => err);
    expect((refused as OdooFaultError).faultName).toMatch(/AccessError/);
    // an app of another plan: refused, naming that plan
    const [hr] = (await customer.executeKw('ir.module.module', 'search', [
      [['name', '=', 'hr']],
    ])) as number[];
    const install = await customer
      .executeKw('ir.module.module', 'button_immediate_install', [[hr]])
      .catch((err: unknown) => err);
    expect(install).toBeInstanceOf(OdooFaultError);
    expect((install as OdooFaultError).message).toMatch(/included in the plan Pro/);
  });

  it('serves the tenant over HTTPS at its subdomain and at a verified custom domain (issue 16)', async () => {
    const edge = await startHttpsEdge();
    try {
      const sub = `it-${run}.localhost`;
      const custom = `erp-${run}.localhost`;
      const upstream = `${tenant.container.ip}:${ODOO_HTTP_PORT}`;
      await edge.proxy.routeToUpstream(sub, upstream);
      const records = new FakeDomainRecords();
      const instance = draftInstance({ tenantRef: REF, subdomain: `it-${run}`, state: 'running' });
      const domains = new CustomDomainService({
        odoo: {
          getInstance: async () => ({ ...instance, dbName: DB }),
          updateInstance: async () => undefined,
        },
        domains: records,
        proxy: edge.proxy,
        docker,
        tenant: repository,
        probe: new DomainProbeAdapter(),
        identity,
        publicUrl: { scheme: 'https', port: edge.httpsPort },
        checkPort: Number(new URL(edge.caddy.httpUrl).port),
        renewUrl: (id) => `https://localhost/my/instances/${id}`,
      });
      const token = randomBytes(16).toString('hex');
      expect(await domains.verify(1, { domainId: 3, domain: custom, token })).toBe('verified');

      for (const host of [sub, custom]) {
        // the chain verifies against Caddy's root alone and names the host
        const login = await httpsGet(host, edge.httpsPort, '/web/login', edge.root, 30_000);
        expect(login.status, host).toBe(200);
        expect(login.certificateNames).toBe(`DNS:${host}`);
        expect(login.body).toContain('oe_login_form');
        // Odoo's session cookie, made Secure by the proxy
        expect(login.headers['set-cookie']?.join('\n')).toMatch(/session_id=[^;]+;.*; Secure/);
        // Odoo's own redirects stay on the name and scheme the customer used (never http://)
        const web = await httpsGet(host, edge.httpsPort, '/web', edge.root, 30_000);
        expect(web.status).toBe(303);
        expect(web.headers.location).toMatch(
          new RegExp(`^(https://${host.replace(/\./g, '\\.')}:${edge.httpsPort})?/web/login`),
        );
      }
      // links in mails and the portal: the custom domain, over https
      expect(await db.getConfigParameter(DB, 'web.base.url')).toBe(
        `https://${custom}:${edge.httpsPort}`,
      );
      expect(await domains.remove(1, custom, true)).toBe('removed');
      expect((await httpsGet(custom, edge.httpsPort, '/web/login', edge.root)).status).toBe(404);
      expect(await db.getConfigParameter(DB, 'web.base.url')).toBe(
        `https://it-${run}.saas.test:${edge.httpsPort}`,
      );
    } finally {
      await edge.stop();
    }
  });
});

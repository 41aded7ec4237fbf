/**
 * A real Odoo tenant on a Swarm worker (npm run test:swarm with ODOO_SRC: scripts/test-swarm builds
 * saas-odoo-tenant:17, the image with Odoo and saas_tenant inside, pushes it to the Swarm's registry
 * and has every worker pull it). The template is built by TemplateService in Swarm mode (attachments
 * moved into the database), the tenant cloned and started by the provisioning steps over the Swarm
 * adapter. Then a record and an attachment are made, the worker running the tenant is killed, and
 * both are read back from the tenant Swarm started on another node: its data lives in PostgreSQL
 * alone, nothing on the lost node's disk.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilestoreAdapter } from '../../src/adapters/filestore.adapter.js';
import { OdooClient } from '../../src/adapters/odoo.client.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { SwarmDockerAdapter } from '../../src/adapters/swarm-docker.adapter.js';
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
import { TenantLimitsService } from '../../src/services/tenant-limits.js';
import { BRIDGE_LOGIN, TenantIdentity } from '../../src/services/tenant-identity.js';
import type { TenantRuntime } from '../../src/services/tenant-runtime.js';
import { FakeLocks } from '../support/fakes/fake-locks.js';
import {
  logFigure,
  unavailable,
  waitFor,
  withoutOdooSrc,
} from '../support/integration/availability.js';
import { pgAdminUrl } from '../support/integration/pg-admin.js';
import { docker, run as runFile } from '../support/integration/run.js';
import { draftInstance } from '../support/world.js';

const exec = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');
const SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
const OVERLAY = process.env.SWARM_NETWORK ?? 'saas-swarm-tenants';
const IMAGE = `${process.env.SWARM_REGISTRY ?? '10.231.0.1:5000'}/saas-odoo-tenant:17`;
// PostgreSQL as the workers reach it: the manager's address on the nodes' network
const DB_HOST = process.env.SWARM_MANAGER_ADDR ?? '10.231.0.1';
// a first boot on a node compiles nothing (the template's bundles), but reads 900 MB of image
const adapter = new SwarmDockerAdapter(SOCKET, { startTimeoutMs: 300_000 });
const skip =
  withoutOdooSrc() ??
  (await unavailable('Swarm manager with saas-odoo-tenant:17 in its registry', async () => {
    await adapter.ping();
    if (!(await adapter.imageId(IMAGE))) throw new Error(`${IMAGE} is not pullable`);
  }));

const run = randomBytes(3).toString('hex');
const REF = `sw${run}`;
const DB = `tenant_${REF}`;
// kept between runs: the template is rebuilt only when the image or saas_tenant change
const DATA_DIR = '/tmp/saas-it-swarm-odoo';
const PASSWORD = `Customer-${randomBytes(6).toString('hex')}`;
const PLAN: PlanRecord = {
  id: 1,
  code: 'it_swarm',
  name: 'Swarm',
  periodMonths: 1,
  trialDays: 0,
  maxUsers: 2,
  storageMb: 512,
  cpuLimit: 1,
  memoryMb: 1024,
  expectedMemoryMb: 200,
  workers: 0,
  modules: [],
};
const SETUP = {
  companyName: 'Swarm Survivors SL',
  companyEmail: 'ana@example.com',
  lang: 'en_US',
  adminLogin: 'ana@example.com',
  adminPassword: PASSWORD,
  multiCompany: false,
  baseUrl: 'https://swarm-it.localhost:8443',
  limits: { planCode: PLAN.code, maxUsers: 2, storageMb: 512, expirationDate: '2030-01-31' },
};

/** the provisioning steps under test need no master and no proxy */
const notUsed = new Proxy({} as OdooPort & ProxyPort, {
  get: (_t, key) => () => Promise.reject(new Error(`not used here: ${String(key)}`)),
});

let db: PostgresAdapter;
let tenant: ReadyTenant;
const repository = new TenantOdooRepository({
  setConfigParameter: (name, key, value) => db.setConfigParameter(name, key, value),
  getConfigParameter: (name, key) => db.getConfigParameter(name, key),
  setConfigParameters: (name, values) => db.setConfigParameters(name, values),
});
const identity = new TenantIdentity({
  owner: `it-swarm-${run}`,
  baseDomain: 'saas.test',
  bridgeSecret: randomBytes(24).toString('hex'),
});

function asCustomer(url: string): OdooClient {
  return new OdooClient({
    url,
    db: DB,
    login: SETUP.adminLogin,
    password: PASSWORD,
    timeoutMs: 60_000,
  });
}

/** one value from the tenant's database, as the admin role reads it */
async function sql(query: string): Promise<string> {
  const url = new URL(await pgAdminUrl());
  url.pathname = `/${DB}`;
  const { stdout } = await exec('psql', [url.toString(), '-XAtqc', query]);
  return stdout.trim();
}

/** runs `script` (bash) once in the tenant image on `node`, on the overlay; answers its output */
async function fromWorker(name: string, node: string, env: string[], script: string) {
  await docker(
    'service',
    'create',
    '--detach',
    '--quiet',
    '--name',
    name,
    '--restart-condition',
    'none',
    '--constraint',
    `node.hostname==${node}`,
    '--network',
    OVERLAY,
    ...env.flatMap((e) => ['--env', e]),
    IMAGE,
    'bash',
    '-c',
    script,
  );
  try {
    await waitFor(`${name} to finish`, 120_000, async () => {
      const states = await docker('service', 'ps', name, '--format', '{{.CurrentState}}');
      return /^(Complete|Failed)/m.test(states) ? states : undefined;
    });
    return await docker('service', 'logs', '--raw', name);
  } finally {
    await docker('service', 'rm', name).catch(() => undefined);
  }
}

describe.skipIf(skip)('an Odoo tenant on a Swarm worker', () => {
  beforeAll(async () => {
    db = new PostgresAdapter(await pgAdminUrl());
    const filestore = new FilestoreAdapter(DATA_DIR, Number(process.env.TENANT_UID ?? 101));
    const runtime: TenantRuntime = {
      image: IMAGE,
      odooSrc: undefined,
      addonsPath: process.env.TENANT_ADDONS_PATH ?? '/opt/odoo/addons,/mnt/extra-addons',
      saasAddonsDir: path.join(REPO, 'odoo-addons'),
      network: OVERLAY,
      dbHost: DB_HOST,
      dbPort: Number(process.env.PG_PORT ?? 5432),
      selfContained: true,
    };
    const logger = pino({ level: 'silent' });
    const templates = new TemplateService({
      db,
      docker: adapter,
      filestore,
      locks: new FakeLocks(),
      runtime,
      logger,
      templateUser: process.env.PG_TEMPLATE_USER ?? 'saas_template',
      templatePassword: process.env.PG_TEMPLATE_PASSWORD ?? '',
      odooBuild: `it-swarm|${await adapter.imageId(IMAGE)}|attachments:db`,
    });
    const deps: ProvisioningDeps = {
      odoo: notUsed,
      proxy: notUsed,
      tenant: repository,
      db,
      docker: adapter,
      filestore,
      templates,
      limits: new TenantLimitsService({
        odoo: { listPlans: async () => [PLAN] },
        tenant: repository,
        identity,
        logger,
        upgradeUrl: (id) => `https://shop.test/my/instances/${id}`,
      }),
      runtime,
      identity,
      logger,
      publicUrl: { baseDomain: 'saas.test', scheme: 'http', port: undefined },
      readyTimeoutMs: 300_000,
      onRunning: () => Promise.resolve(),
    };
    let started = Date.now();
    const template = await templates.ensure(PLAN);
    const built = Date.now() - started;
    const instance = draftInstance({ tenantRef: REF, subdomain: `sw-${run}` });
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
      `swarm odoo: template ${built} ms (0 when reused), clone ${cloned} ms, service to /web/login 200 on ${tenant.container.node} ${Date.now() - started} ms`,
    );
    await repository.configure(
      tenant.directUrl,
      DB,
      { login: BRIDGE_LOGIN, key: identity.bridgeKey(REF) },
      SETUP,
    );
  }, 900_000);

  afterAll(async () => {
    if (!db) return;
    await adapter.removeContainer(`saas-tenant-${REF}`).catch(() => undefined);
    await db.dropDatabase(DB).catch(() => undefined);
    await db.dropRole(DB).catch(() => undefined);
    await rm(path.join(DATA_DIR, DB), { recursive: true, force: true });
    await db.close();
  });

  it('runs on a worker, from the registry image, mounting nothing of the manager', async () => {
    const workers = (
      await docker('node', 'ls', '--filter', 'role=worker', '--format', '{{.Hostname}}')
    ).split('\n');
    expect(workers).toContain(tenant.container.node);
    const [service] = JSON.parse(await docker('service', 'inspect', `saas-tenant-${REF}`)) as {
      Spec: { TaskTemplate: { ContainerSpec: { Image: string; Mounts?: unknown[] } } };
    }[];
    expect(service?.Spec.TaskTemplate.ContainerSpec.Image).toMatch(/^10\.231\.0\.1:5000\//);
    expect(service?.Spec.TaskTemplate.ContainerSpec.Mounts ?? []).toEqual([]);
    // attachments in the database: the template's setting, and none of its files left to copy
    expect(
      await sql("SELECT value FROM ir_config_parameter WHERE key = 'ir_attachment.location'"),
    ).toBe('db');
    expect(await sql('SELECT count(*) FROM ir_attachment WHERE store_fname IS NOT NULL')).toBe('0');
  });

  it('from the tenant on its worker, reaches only its own database of the manager', async () => {
    const [service] = JSON.parse(await docker('service', 'inspect', `saas-tenant-${REF}`)) as {
      Spec: { TaskTemplate: { ContainerSpec: { Env: string[] } } };
    }[];
    const env = (key: string) =>
      service?.Spec.TaskTemplate.ContainerSpec.Env.find((e) => e.startsWith(`${key}=`))?.slice(
        key.length + 1,
      ) ?? '';
    // Redis, the bridge, the master, Caddy's admin API, the Docker API; then PostgreSQL and the
    // read-only registry, which answer; then the tenant's role against databases not its own
    const script = [
      'for p in 6379 3000 8069 2019 2375 2376 5432 5000; do',
      `  if timeout 3 bash -c "</dev/tcp/${DB_HOST}/$p" 2>/dev/null; then echo "port $p open"; else echo "port $p closed"; fi`,
      'done',
      `for d in ${DB} tenant_someone_else saas_master postgres; do`,
      `  echo "db $d: $(PGCONNECT_TIMEOUT=5 psql -h ${DB_HOST} -d "$d" -XAtc 'select 1' 2>&1 | tail -n 1)"`,
      'done',
    ].join('\n');
    const probe = await fromWorker(
      `it-swarm-probe-${run}`,
      tenant.container.node!,
      [`PGUSER=${env('PGUSER')}`, `PGPASSWORD=${env('PGPASSWORD')}`],
      script,
    );
    console.error(`swarm isolation from ${tenant.container.node}:\n${probe}`);
    for (const port of [6379, 3000, 8069, 2019, 2375, 2376])
      expect(probe).toContain(`port ${port} closed`);
    expect(probe).toContain('port 5432 open');
    expect(probe).toMatch(new RegExp(`db ${DB}: 1$`, 'm'));
    expect(probe).toMatch(/db postgres: 1$/m);
    expect(probe).toMatch(/db tenant_someone_else: .*pg_hba\.conf rejects connection/);
    expect(probe).toMatch(/db saas_master: .*pg_hba\.conf rejects connection/);
  });

  it("keeps a record and an attachment when the tenant's node is lost", async () => {
    const customer = asCustomer(tenant.directUrl);
    const partnerId = (await customer.executeKw('res.partner', 'create', [
      { name: `Survivor ${run}` },
    ])) as number;
    const content = `made on ${tenant.container.node} (${run})`;
    const attachmentId = (await customer.executeKw('ir.attachment', 'create', [
      {
        name: 'survivor.txt',
        res_model: 'res.partner',
        res_id: partnerId,
        datas: Buffer.from(content).toString('base64'),
      },
    ])) as number;
    // stored in PostgreSQL, not on the node's disk
    expect(
      await sql(
        `SELECT store_fname IS NULL AND db_datas IS NOT NULL FROM ir_attachment WHERE id = ${attachmentId}`,
      ),
    ).toBe('t');

    const lost = tenant.container.node!;
    const t0 = Date.now();
    await docker('kill', lost);
    try {
      const moved = await waitFor('the tenant on another node', 300_000, async () => {
        const c = await adapter.findContainer(`saas-tenant-${REF}`);
        return c?.status === 'running' && c.node !== lost && c.ip ? c : undefined;
      });
      const url = `http://${moved.ip}:8069`;
      await repository.waitReady(url, 300_000);
      logFigure(
        `swarm odoo: ${lost} killed, tenant answering /web/login 200 on ${moved.node} after ${Date.now() - t0} ms`,
      );
      const again = asCustomer(url);
      const [partner] = (await again.executeKw('res.partner', 'read', [[partnerId], ['name']])) as {
        name: string;
      }[];
      expect(partner?.name).toBe(`Survivor ${run}`);
      const [file] = (await again.executeKw('ir.attachment', 'read', [
        [attachmentId],
        ['datas', 'res_id'],
      ])) as { datas: string; res_id: number }[];
      expect(Buffer.from(file?.datas ?? '', 'base64').toString()).toBe(content);
      expect(file?.res_id).toBe(partnerId);
    } finally {
      await runFile(path.join(REPO, 'scripts/swarm'), [
        'add-node',
        lost.replace(/^saas-swarm-node-/, ''),
      ]);
    }
  }, 600_000);
});

/**
 * A rolling update on real parts: a real master Odoo (saas.rollout, its lines, the outbox), two
 * real tenants cloned from a real Odoo template and running in Docker, restic backups, and the
 * bridge's update service between them. The tenants are then given a copy of saas_tenant with a
 * bumped version (the addons dir the bridge mounts): the rollout brings both to it, one at a time.
 * A second copy whose migration raises is rolled out next, paused after its first instance: that
 * tenant is rolled back to its backup (a record made before is still there, it answers on its old
 * version) and its line says why, while the other one is never touched.
 * The master's outbox has no bridge URL here: the test hands each instance.update event it wrote
 * to the bridge's intake mapping (updateJobOf) and runs the job's service, as a worker would.
 * Runs only with ODOO_SRC set; heavy: hold the machine lock.
 */
import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonFingerprint } from '../../src/adapters/addon-fingerprint.js';
import { addonVersion } from '../../src/adapters/addon-manifest.js';
import { DockerAdapter } from '../../src/adapters/docker.adapter.js';
import { FilestoreAdapter } from '../../src/adapters/filestore.adapter.js';
import { MasterBackupRepository } from '../../src/adapters/master-backup.repository.js';
import { MasterOdooRepository } from '../../src/adapters/master-odoo.repository.js';
import { MasterRolloutRepository } from '../../src/adapters/master-rollout.repository.js';
import { OdooClient } from '../../src/adapters/odoo.client.js';
import { PgDumpAdapter } from '../../src/adapters/pg-dump.adapter.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { ResticAdapter } from '../../src/adapters/restic.adapter.js';
import { TenantOdooRepository } from '../../src/adapters/tenant-odoo.repository.js';
import type { InstanceRecord, PlanRecord } from '../../src/ports/odoo.port.js';
import { bridgeEventSchema } from '../../src/schemas/event.schema.js';
import { BackupService } from '../../src/services/backup.service.js';
import { InstanceBackupService } from '../../src/services/instance-backup.service.js';
import { ensureContainer } from '../../src/services/provisioning/container.step.js';
import type { ProvisioningDeps } from '../../src/services/provisioning/context.js';
import { ensureDatabase } from '../../src/services/provisioning/database.step.js';
import { TemplateService } from '../../src/services/template.service.js';
import { TenantIdentity } from '../../src/services/tenant-identity.js';
import type { TenantRuntime } from '../../src/services/tenant-runtime.js';
import { TenantUpdateService } from '../../src/services/tenant-update.service.js';
import { isUpdateEvent, updateJobOf } from '../../src/services/update-intake.js';
import { FakeLocks } from '../support/fakes/fake-locks.js';
import { FakeProxy } from '../support/fakes/fake-proxy.js';
import {
  logFigure,
  unavailable,
  waitFor,
  withoutOdooSrc,
} from '../support/integration/availability.js';
import { sql } from '../support/integration/backup-fixture.js';
import {
  clientOptions,
  probeMasterOdoo,
  startMasterOdoo,
  type MasterOdoo,
} from '../support/integration/master-odoo.js';
import { pgAdminUrl } from '../support/integration/pg-admin.js';
import { realTenantRuntime } from '../support/integration/real-tenant.js';
import { run as runCommand } from '../support/integration/run.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const ODOO_SRC = process.env.ODOO_SRC;
const IMAGE = process.env.TENANT_IMAGE ?? 'saas-odoo-runtime:17';
const docker = new DockerAdapter(process.env.DOCKER_SOCKET ?? '/var/run/docker.sock');
const skip =
  withoutOdooSrc() ??
  (await unavailable('master Odoo, Docker with the tenant image, PostgreSQL, restic', async () => {
    await probeMasterOdoo();
    if (!(await docker.imageId(IMAGE))) throw new Error(`image ${IMAGE} missing`);
    await runCommand('restic', ['version']);
  }));

const run = randomBytes(3).toString('hex');
// shared with the other real-tenant suites: the same plan and build give the same template
const DATA_DIR = '/tmp/saas-it-tenant-odoo';
const TEMPLATE_PLAN: PlanRecord = {
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
const PARTNER = `Made before the failing update ${run}`;
const logger = pino({ level: 'silent' });

let master: MasterOdoo;
let admin: OdooClient;
let adminUrl: string;
let db: PostgresAdapter;
let runtime: TenantRuntime;
let identity: TenantIdentity;
let updates: TenantUpdateService;
let scratch: string;
const instances: InstanceRecord[] = [];
/** instance.update events already handed to the bridge */
const handled = new Set<string>();
let original: string;
let bumped: string;
let broken: string;

const call = <T>(model: string, method: string, args: unknown[], kwargs = {}) =>
  admin.executeKw(model, method, args, kwargs) as Promise<T>;

/** a copy of saas_tenant declaring `version`, readable by the tenant image's odoo user */
async function saasTenantCopy(name: string, version: string, raising = false): Promise<string> {
  const dir = path.join(scratch, name);
  await cp(path.join(REPO, 'odoo-addons', 'saas_tenant'), path.join(dir, 'saas_tenant'), {
    recursive: true,
  });
  const manifest = path.join(dir, 'saas_tenant', '__manifest__.py');
  const text = await readFile(manifest, 'utf8');
  await writeFile(manifest, text.replace(/"version": "[^"]+"/, `"version": "${version}"`));
  if (raising) {
    const migration = path.join(dir, 'saas_tenant', 'migrations', version);
    await mkdir(migration, { recursive: true });
    await writeFile(
      path.join(migration, 'pre-migrate.py'),
      'def migrate(cr, version):\n    raise RuntimeError("migration raised on purpose")\n',
    );
  }
  await runCommand('chmod', ['-R', 'a+rX', scratch]);
  return dir;
}

/** the next version of a dotted one: 17.0.1.2.0 -> 17.0.1.2.1 */
function next(version: string): string {
  const parts = version.split('.');
  parts[parts.length - 1] = String(Number(parts.at(-1)) + 1);
  return parts.join('.');
}

/** every instance.update the master wrote and the bridge has not run yet, run in order */
async function deliverUpdates(): Promise<number> {
  const events = await call<{ uuid: string; payload: string }[]>(
    'saas.bridge.event',
    'search_read',
    [[['event_type', '=', 'instance.update']]],
    { fields: ['uuid', 'payload'], order: 'id' },
  );
  let delivered = 0;
  for (const row of events) {
    if (handled.has(row.uuid)) continue;
    handled.add(row.uuid);
    const event = bridgeEventSchema.parse(JSON.parse(row.payload));
    if (!isUpdateEvent(event)) throw new Error(`not an update: ${event.type}`);
    const job = updateJobOf(event);
    await updates.update(job.data, job.jobId);
    delivered += 1;
  }
  return delivered;
}

async function rollout(id: number) {
  const [row] = await call<
    { state: string; count_done: number; count_failed: number; line_ids: number[] }[]
  >('saas.rollout', 'read', [[id], ['state', 'count_done', 'count_failed', 'line_ids']]);
  const lines = await call<
    { instance_id: [number, string]; state: string; message: string | false }[]
  >('saas.rollout.line', 'read', [row?.line_ids ?? [], ['instance_id', 'state', 'message']]);
  return { ...row, lines };
}

async function tenantVersions(): Promise<(string | false)[]> {
  const rows = await call<{ id: number; tenant_version: string | false }[]>(
    'saas.instance',
    'read',
    [instances.map((i) => i.id), ['tenant_version']],
  );
  return instances.map((i) => rows.find((r) => r.id === i.id)?.tenant_version ?? false);
}

async function loginStatus(instance: InstanceRecord): Promise<number> {
  const found = await docker.findContainer(identity.namesOf(instance).container);
  if (!found?.ip) return 0;
  return (await fetch(`http://${found.ip}:8069/web/login`)).status;
}

describe.skipIf(skip)('a rolling update of saas_tenant across real tenants', () => {
  beforeAll(async () => {
    const t0 = Date.now();
    master = await startMasterOdoo();
    admin = new OdooClient(clientOptions(master, master.admin));
    const bridgeClient = new OdooClient(clientOptions(master, master.bridge, 60_000));
    const odoo = new MasterOdooRepository(bridgeClient);
    adminUrl = await pgAdminUrl();
    db = new PostgresAdapter(adminUrl);
    scratch = await mkdtemp(path.join(tmpdir(), 'saas-it-rollout-'));
    await chmod(scratch, 0o755);
    const uid = Number(process.env.TENANT_UID ?? 101);
    const filestore = new FilestoreAdapter(DATA_DIR, uid);
    runtime = await realTenantRuntime(docker, ODOO_SRC, IMAGE);
    identity = new TenantIdentity({
      owner: `it-owner-${run}`,
      baseDomain: 'saas.test',
      bridgeSecret: randomBytes(24).toString('hex'),
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
    const tenant = new TenantOdooRepository(db);
    const proxy = new FakeProxy();
    const provisioning: ProvisioningDeps = {
      odoo,
      proxy,
      tenant,
      db,
      docker,
      filestore,
      templates,
      limits: { apply: () => Promise.resolve([]) },
      runtime,
      identity,
      logger,
      publicUrl: { baseDomain: 'saas.test', scheme: 'http', port: undefined },
      readyTimeoutMs: 180_000,
      onRunning: () => Promise.resolve(),
    };
    const backups = new InstanceBackupService({
      odoo,
      records: new MasterBackupRepository(bridgeClient),
      backups: new BackupService({
        repository: new ResticAdapter({
          repositoryBase: path.join(DATA_DIR, `repos-${run}`),
          password: randomBytes(16).toString('hex'),
          storageEnv: {},
          host: 'saas-bridge-test',
        }),
        dumps: new PgDumpAdapter(adminUrl, db),
        logger,
      }),
      docker,
      proxy,
      tenant,
      dataDirOf: (name) => filestore.dataDirOf(name),
      identity,
      readyTimeoutMs: 180_000,
      master: { database: 'unused', filestoreDir: undefined, keep: 1 },
      observer: { finished: () => undefined, newestAge: () => undefined },
      logger,
    });
    updates = new TenantUpdateService({
      odoo,
      records: new MasterRolloutRepository(bridgeClient),
      backups,
      docker,
      db,
      versions: db,
      tenant,
      proxy,
      identity,
      runtime,
      dataDirOf: (name) => filestore.dataDirOf(name),
      // read at each job, like the wiring: the test swaps the mounted addons dir
      availableVersion: () => addonVersion(path.join(runtime.saasAddonsDir, 'saas_tenant')),
      readyTimeoutMs: 180_000,
      updateTimeoutMs: 600_000,
      logger,
    });

    // two running instances in the master, each a real tenant on the repository's saas_tenant
    original = await addonVersion(path.join(REPO, 'odoo-addons', 'saas_tenant'));
    const [partnerId] = await call<number[]>('res.partner', 'create', [
      [{ name: `Rollout customer ${run}` }],
    ]);
    const [plan] = await call<{ res_id: number }[]>(
      'ir.model.data',
      'search_read',
      [
        [
          ['module', '=', 'saas_master'],
          ['name', '=', 'product_plan_basic'],
        ],
      ],
      { fields: ['res_id'] },
    );
    const planId = plan?.res_id;
    const template = await templates.ensure(TEMPLATE_PLAN);
    for (const name of ['a', 'b']) {
      const [id] = await call<number[]>('saas.instance', 'create', [
        [
          {
            partner_id: partnerId,
            plan_id: planId,
            subdomain: `roll-${name}-${run}`,
            state: 'running',
            tenant_version: original,
          },
        ],
      ]);
      const instance = await odoo.getInstance(id ?? 0);
      if (!instance) throw new Error(`instance ${id} not found`);
      const names = identity.namesOf(instance);
      await call('saas.instance', 'write', [[instance.id], { db_name: names.db }]);
      const ctx = {
        instance,
        plan: TEMPLATE_PLAN,
        names,
        container: undefined,
        initialPassword: undefined,
        log: logger,
      };
      await ensureDatabase(provisioning, ctx, { kind: 'template', template });
      await ensureContainer(provisioning, ctx);
      instances.push({ ...instance, dbName: names.db });
    }
    bumped = await saasTenantCopy('bumped', next(original));
    broken = await saasTenantCopy('broken', next(next(original)), true);
    logFigure(`rollout suite set-up: ${master.figures}; two tenants in ${Date.now() - t0} ms`);
  }, 900_000);

  afterAll(async () => {
    for (const instance of instances) {
      const names = identity.namesOf(instance);
      await docker.removeContainer(names.container);
      await docker.removeContainer(`saas-update-${instance.tenantRef}`);
      await db.dropDatabase(names.db);
      await db.dropRole(names.db);
      await rm(path.join(DATA_DIR, names.db), { recursive: true, force: true });
    }
    await rm(path.join(DATA_DIR, `repos-${run}`), { recursive: true, force: true });
    if (scratch) await rm(scratch, { recursive: true, force: true });
    await db?.close();
    await master?.stop();
  });

  it('brings both tenants to the bumped saas_tenant, one at a time', async () => {
    const version = next(original);
    runtime.saasAddonsDir = bumped;
    // what the bridge tells the master at start (update-wiring's announce)
    await new MasterRolloutRepository(
      new OdooClient(clientOptions(master, master.bridge)),
    ).setAvailableVersion(await addonVersion(path.join(bumped, 'saas_tenant')));
    // the admin's new rollout targets what the bridge offers
    const [id] = await call<number[]>('saas.rollout', 'create', [[{ batch_size: 1 }]]);
    const rolloutId = id ?? 0;
    await call('saas.rollout', 'action_start', [[rolloutId]]);
    const started = await rollout(rolloutId);
    expect(started.lines.map((l) => l.state)).toEqual(['updating', 'pending']);

    const t0 = Date.now();
    // the first instance's update: the other one keeps serving meanwhile, and is sent after it
    const [first, second] = instances as [InstanceRecord, InstanceRecord];
    const updating = deliverUpdates();
    await waitFor('the first tenant to stop for its update', 120_000, async () =>
      (await docker.findContainer(identity.namesOf(first).container)) ? undefined : true,
    );
    expect(await loginStatus(second)).toBe(200);
    expect(await updating).toBe(1);
    expect((await rollout(rolloutId)).lines.map((l) => l.state)).toEqual(['done', 'updating']);
    expect(await deliverUpdates()).toBe(1);
    const finished = await rollout(rolloutId);
    logFigure(
      `rollout of saas_tenant ${version} to 2 tenants, one at a time: ${Date.now() - t0} ms`,
    );

    expect(finished.state).toBe('done');
    expect(finished.count_done).toBe(2);
    expect(await tenantVersions()).toEqual([version, version]);
    for (const instance of instances) {
      expect(await db.moduleVersion(instance.dbName ?? '', 'saas_tenant')).toBe(version);
      expect(await loginStatus(instance)).toBe(200);
    }
    // each update started from a backup, recorded on the instance's backup list
    const backups = await call<{ kind: string; state: string }[]>(
      'saas.backup',
      'search_read',
      [[['instance_id', 'in', instances.map((i) => i.id)]]],
      { fields: ['kind', 'state'] },
    );
    expect(backups.map((b) => `${b.kind} ${b.state}`)).toEqual([
      'before-update done',
      'before-update done',
    ]);
  }, 900_000);

  it('rolls a failing update back with the data intact, and a paused rollout sends no more', async () => {
    const [first] = instances as [InstanceRecord, InstanceRecord];
    const previous = next(original);
    await sql(
      adminUrl,
      first.dbName ?? '',
      `INSERT INTO res_partner (name, active, create_date, write_date)
       VALUES ('${PARTNER}', true, now(), now())`,
    );
    runtime.saasAddonsDir = broken;
    const target = next(previous);
    const [id] = await call<number[]>('saas.rollout', 'create', [
      [{ batch_size: 1, target_version: target }],
    ]);
    const rolloutId = id ?? 0;
    await call('saas.rollout', 'action_start', [[rolloutId]]);
    await call('saas.rollout', 'action_pause', [[rolloutId]]);

    const t0 = Date.now();
    expect(await deliverUpdates()).toBe(1);
    logFigure(`failing update rolled back to its backup: ${Date.now() - t0} ms`);

    const after = await rollout(rolloutId);
    expect(after.state).toBe('paused');
    const [failed, waiting] = after.lines;
    expect(failed?.instance_id[0]).toBe(first.id);
    expect(failed?.state).toBe('failed');
    expect(failed?.message).toContain('migration raised on purpose');
    expect(failed?.message).toContain('rolled back to backup');
    // paused: the second instance was not sent
    expect(waiting?.state).toBe('pending');
    expect(await deliverUpdates()).toBe(0);

    // the tenant answers on its old version, with the record made before the update
    expect(await loginStatus(first)).toBe(200);
    expect(await db.moduleVersion(first.dbName ?? '', 'saas_tenant')).toBe(previous);
    expect(await tenantVersions()).toEqual([previous, previous]);
    const kept = await sql<{ name: string }>(
      adminUrl,
      first.dbName ?? '',
      `SELECT name FROM res_partner WHERE name = '${PARTNER}'`,
    );
    expect(kept.map((r) => r.name)).toEqual([PARTNER]);
  }, 900_000);
});

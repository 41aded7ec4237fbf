/**
 * Restore into a new instance (a copy for testing) on real parts: a tenant cloned from a real Odoo
 * template, backed up into restic, then a second instance provisioned from that backup by the
 * provisioning's database and container steps: own database, role and data dir, neutralized by
 * the tenant image's `odoo neutralize`, answering /web/login in its own container.
 * Runs only with ODOO_SRC set (an Odoo 17 tree for the local tenant image); heavy: hold the machine lock.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonFingerprint } from '../../src/adapters/addon-fingerprint.js';
import { DockerAdapter } from '../../src/adapters/docker.adapter.js';
import { FilestoreAdapter } from '../../src/adapters/filestore.adapter.js';
import { PgDumpAdapter } from '../../src/adapters/pg-dump.adapter.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { ResticAdapter } from '../../src/adapters/restic.adapter.js';
import { TenantOdooRepository } from '../../src/adapters/tenant-odoo.repository.js';
import type { PlanRecord } from '../../src/ports/odoo.port.js';
import { BackupService } from '../../src/services/backup.service.js';
import { InstanceBackupService } from '../../src/services/instance-backup.service.js';
import { ensureContainer } from '../../src/services/provisioning/container.step.js';
import type {
  ProvisionContext,
  ProvisioningDeps,
} from '../../src/services/provisioning/context.js';
import { ensureDatabase } from '../../src/services/provisioning/database.step.js';
import { TemplateService } from '../../src/services/template.service.js';
import { TenantIdentity } from '../../src/services/tenant-identity.js';
import { FakeBackupRecords } from '../support/fakes/fake-backup-records.js';
import { FakeDocker } from '../support/fakes/fake-docker.js';
import { FakeLocks } from '../support/fakes/fake-locks.js';
import { FakeOdoo } from '../support/fakes/fake-odoo.js';
import { FakeProxy } from '../support/fakes/fake-proxy.js';
import { logFigure, unavailable } from '../support/integration/availability.js';
import { sql } from '../support/integration/backup-fixture.js';
import { pgAdminUrl } from '../support/integration/pg-admin.js';
import { realTenantRuntime } from '../support/integration/real-tenant.js';
import { run as runCommand } from '../support/integration/run.js';
import { draftInstance } from '../support/world.js';

const ODOO_SRC = process.env.ODOO_SRC;
const IMAGE = process.env.TENANT_IMAGE ?? 'saas-odoo-runtime:17';
const docker = new DockerAdapter(process.env.DOCKER_SOCKET ?? '/var/run/docker.sock');
const skip = ODOO_SRC
  ? await unavailable('Docker engine with the tenant image, PostgreSQL and restic', async () => {
      if (!(await docker.imageId(IMAGE))) throw new Error(`image ${IMAGE} missing`);
      const probe = new PostgresAdapter(await pgAdminUrl());
      await probe.ping().finally(() => probe.close());
      await runCommand('restic', ['version']);
    })
  : (console.error('SKIP backup.copy integration: ODOO_SRC is not set'), 'no ODOO_SRC');

const run = randomBytes(3).toString('hex');
// kept between runs and shared with tenant-odoo.repository's test: the same plan and build give
// the same template, rebuilt only when Odoo or saas_tenant change
const DATA_DIR = '/tmp/saas-it-tenant-odoo';
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
const SOURCE = draftInstance({
  id: 11,
  tenantRef: `itsrc${run}`,
  subdomain: `src-${run}`,
  state: 'running',
  planId: PLAN.id,
});
const identity = new TenantIdentity({
  owner: `it-owner-${run}`,
  baseDomain: 'saas.test',
  bridgeSecret: randomBytes(24).toString('hex'),
});
const SOURCE_DB = identity.namesOf(SOURCE).db;
const PARTNER = `Made before the backup ${run}`;
const ATTACHMENT = `copy-check/${run}.bin`;

let adminUrl: string;
let db: PostgresAdapter;
let deps: ProvisioningDeps;
let records: FakeBackupRecords;
let copyCtx: ProvisionContext;
let copyDb: string;
let directUrl: string;
const attachmentBytes = randomBytes(50_000);

async function scalar(database: string, text: string): Promise<string | undefined> {
  const rows = await sql<{ v: string | null }>(adminUrl, database, text);
  return rows[0]?.v ?? undefined;
}

describe.skipIf(skip)('restore into a new instance: a neutralized copy from a backup', () => {
  beforeAll(async () => {
    adminUrl = await pgAdminUrl();
    db = new PostgresAdapter(adminUrl);
    const uid = Number(process.env.TENANT_UID ?? 101);
    const filestore = new FilestoreAdapter(DATA_DIR, uid);
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
    const odoo = new FakeOdoo();
    odoo.addPlan(PLAN);
    odoo.addInstance({ ...SOURCE, dbName: SOURCE_DB });
    records = new FakeBackupRecords();
    const backups = new BackupService({
      repository: new ResticAdapter({
        repositoryBase: path.join(DATA_DIR, `repos-${run}`),
        password: randomBytes(16).toString('hex'),
        storageEnv: {},
        host: 'saas-bridge-test',
      }),
      dumps: new PgDumpAdapter(adminUrl, db),
      logger,
    });
    const tenant = new TenantOdooRepository(db);
    const fakeDocker = new FakeDocker();
    const instanceBackups = new InstanceBackupService({
      odoo,
      records,
      backups,
      // the copy never stops or starts the source: only the provisioning's real Docker runs here
      docker: fakeDocker,
      proxy: new FakeProxy(),
      tenant,
      dataDirOf: (name) => filestore.dataDirOf(name),
      identity,
      readyTimeoutMs: 1_000,
      master: { database: 'unused', filestoreDir: undefined, keep: 1 },
      observer: { finished: () => undefined, newestAge: () => undefined },
      logger,
    });
    deps = {
      odoo,
      proxy: new FakeProxy(),
      tenant,
      db,
      docker,
      filestore,
      templates,
      // limits are not what a copy test looks at: the tenant keeps the source's
      limits: { apply: () => Promise.resolve([]) },
      runtime,
      identity,
      logger,
      publicUrl: { baseDomain: 'saas.test', scheme: 'http', port: undefined },
      readyTimeoutMs: 180_000,
      copies: instanceBackups,
      onRunning: () => Promise.resolve(),
    };

    // the source: a real tenant database with a record and a file the copy must bring along
    const template = await templates.ensure(PLAN);
    await ensureDatabase(
      deps,
      {
        instance: SOURCE,
        plan: PLAN,
        names: identity.namesOf(SOURCE),
        container: undefined,
        initialPassword: undefined,
        log: logger,
      },
      { kind: 'template', template },
    );
    await sql(
      adminUrl,
      SOURCE_DB,
      `INSERT INTO res_partner (name, active) VALUES ('${PARTNER}', true)`,
    );
    const file = path.join(filestore.dataDirOf(SOURCE_DB), 'filestore', SOURCE_DB, ATTACHMENT);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, attachmentBytes);
    await runCommand('chown', ['-R', `${uid}:${uid}`, filestore.dataDirOf(SOURCE_DB)]).catch(
      () => undefined,
    );
    const backupId = records.addPending(SOURCE.id, 'manual');
    await instanceBackups.backupInstance(
      { instanceId: SOURCE.id, kind: 'manual', backupRecordId: backupId },
      `it-copy-${run}`,
    );
    expect(records.records.get(backupId)?.state).toBe('done');
    // the source's own crons run; the copy's must not
    await sql(adminUrl, SOURCE_DB, `UPDATE ir_cron SET active = true`);

    const copy = draftInstance({
      id: 12,
      tenantRef: `itcpy${run}`,
      subdomain: `copy-${run}`,
      state: 'provisioning',
      planId: PLAN.id,
      copyOfBackupId: backupId,
    });
    copyCtx = {
      instance: copy,
      plan: PLAN,
      names: identity.namesOf(copy),
      container: undefined,
      initialPassword: undefined,
      log: logger,
    };
    copyDb = copyCtx.names.db;
    let started = Date.now();
    await ensureDatabase(deps, copyCtx, {
      kind: 'copy',
      backupId: copyCtx.instance.copyOfBackupId ?? 0,
    });
    const restored = Date.now() - started;
    started = Date.now();
    directUrl = (await ensureContainer(deps, copyCtx)).directUrl;
    logFigure(
      `restore into a new instance: database + filestore from restic and neutralized in ${restored} ms, container to /web/login 200 ${Date.now() - started} ms`,
    );
  }, 900_000);

  afterAll(async () => {
    if (!db) return;
    for (const instance of [SOURCE, copyCtx?.instance]) {
      if (!instance) continue;
      const names = identity.namesOf(instance);
      await docker.removeContainer(names.container);
      await db.dropDatabase(names.db);
      await db.dropRole(names.db);
      await rm(path.join(DATA_DIR, names.db), { recursive: true, force: true });
    }
    await rm(path.join(DATA_DIR, `repos-${run}`), { recursive: true, force: true });
    await db.close();
  });

  it('holds the record and the file made before the backup, under its own names', async () => {
    expect(copyDb).not.toBe(SOURCE_DB);
    expect(
      await scalar(copyDb, `SELECT name AS v FROM res_partner WHERE name = '${PARTNER}'`),
    ).toBe(PARTNER);
    const copied = await readFile(path.join(DATA_DIR, copyDb, 'filestore', copyDb, ATTACHMENT));
    expect(copied.equals(attachmentBytes)).toBe(true);
    const owner = await scalar(
      copyDb,
      `SELECT pg_get_userbyid(datdba) AS v FROM pg_database WHERE datname = current_database()`,
    );
    expect(owner).toBe(copyDb);
    expect(await db.databaseMarker(copyDb)).toBe(identity.marker(12));
    const uuid = `SELECT value AS v FROM ir_config_parameter WHERE key = 'database.uuid'`;
    expect(await scalar(copyDb, uuid)).not.toBe(await scalar(SOURCE_DB, uuid));
  });

  it('is neutralized: no cron but the autovacuum runs, mail only to the dead server', async () => {
    const activeCrons = await sql<{ name: string }>(
      adminUrl,
      copyDb,
      `SELECT d.name FROM ir_cron c
         LEFT JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = c.id
        WHERE c.active`,
    );
    expect(activeCrons.map((c) => c.name)).toEqual(['autovacuum_job']);
    const servers = await sql<{ smtp_host: string }>(
      adminUrl,
      copyDb,
      `SELECT smtp_host FROM ir_mail_server WHERE active`,
    );
    expect(servers.map((s) => s.smtp_host)).toEqual(['invalid']);
    expect(
      await scalar(
        copyDb,
        `SELECT value AS v FROM ir_config_parameter WHERE key = 'database.is_neutralized'`,
      ),
    ).toBe('true');
    // the original is untouched
    const sourceActive = await scalar(
      SOURCE_DB,
      `SELECT count(*)::text AS v FROM ir_cron WHERE active`,
    );
    expect(Number(sourceActive)).toBeGreaterThan(1);
  });

  it('answers in its own container, and a second run of the step changes nothing', async () => {
    const login = await fetch(`${directUrl}/web/login`);
    expect(login.status).toBe(200);
    await ensureDatabase(deps, copyCtx, {
      kind: 'copy',
      backupId: copyCtx.instance.copyOfBackupId ?? 0,
    });
    expect(
      await scalar(
        copyDb,
        `SELECT value AS v FROM ir_config_parameter WHERE key = 'database.is_neutralized'`,
      ),
    ).toBe('true');
  });
});

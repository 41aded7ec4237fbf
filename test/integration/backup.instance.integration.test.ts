import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgDumpAdapter } from '../../src/adapters/pg-dump.adapter.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { ResticAdapter } from '../../src/adapters/restic.adapter.js';
import { BackupService } from '../../src/services/backup.service.js';
import {
  InstanceBackupService,
  MASTER_BACKUP_KEY,
} from '../../src/services/instance-backup.service.js';
import { unavailable } from '../support/integration/availability.js';
import { createTenant, sql, type TenantFixture } from '../support/integration/backup-fixture.js';
import { pgAdminUrl } from '../support/integration/pg-admin.js';
import { run } from '../support/integration/run.js';
import { FakeBackupRecords } from '../support/fakes/fake-backup-records.js';
import { FakeDatabase } from '../support/fakes/fake-database.js';
import { FakeDocker } from '../support/fakes/fake-docker.js';
import { FakeOdoo } from '../support/fakes/fake-odoo.js';
import { FakeProxy } from '../support/fakes/fake-proxy.js';
import { FakeTenant } from '../support/fakes/fake-tenant.js';
import { draftInstance, STARTER_PLAN } from '../support/world.js';
import { TenantIdentity } from '../../src/services/tenant-identity.js';

let adminUrl = '';
const skip = await unavailable('PostgreSQL and restic', async () => {
  adminUrl = await pgAdminUrl();
  const probe = new PostgresAdapter(adminUrl);
  await probe.ping().finally(() => probe.close());
  await run('restic', ['version']);
});

const id = randomBytes(3).toString('hex');
const SUB = `bk${id}`;
const DB = `tenant_${SUB}`;
const MASTER = `it_master_${id}`;
const SCRATCH = `it_master_scratch_${id}`;
const BASE_DOMAIN = 'saas.example.com';
const IDENTITY = new TenantIdentity({
  owner: 'backup-test-owner',
  baseDomain: BASE_DOMAIN,
  bridgeSecret: 'a-tenant-bridge-secret-of-32-chars-or-more',
});
/** instance 5's container, named from its tenant ref (test/support/world.ts draftInstance) */
const CONTAINER = IDENTITY.namesOf(draftInstance({ id: 5, subdomain: SUB })).container;

let root: string;
let resticPassword: string;
let masterFiles: string;
let db: PostgresAdapter;
let tenant: TenantFixture;
let odoo: FakeOdoo;
let records: FakeBackupRecords;
let docker: FakeDocker;
let proxy: FakeProxy;
let backups: BackupService;
let service: InstanceBackupService;
const ages = new Map<string, number>();
const finished: string[] = [];

const partner1 = async (database: string) =>
  (await sql<{ name: string }>(adminUrl, database, 'SELECT name FROM res_partner WHERE id = 1'))[0]
    ?.name;

describe.skipIf(skip)(
  'InstanceBackupService: scheduled, manual, final backups and restores',
  () => {
    beforeAll(async () => {
      root = await mkdtemp(path.join(tmpdir(), 'saas-it-instbk-'));
      db = new PostgresAdapter(adminUrl);
      const dataRoot = path.join(root, 'data');
      tenant = await createTenant(db, adminUrl, DB, dataRoot);
      // the master: a database whose saas_instance table lists the instances
      await db.ensureRole(MASTER, randomBytes(12).toString('hex'));
      await db.createEmptyDatabase(MASTER, MASTER);
      await sql(
        adminUrl,
        MASTER,
        `SET ROLE "${MASTER}";
       CREATE TABLE ir_module_module (id serial, name varchar, state varchar, latest_version varchar);
       INSERT INTO ir_module_module (name, state, latest_version) VALUES ('base', 'installed', '17.0.1.3');
       CREATE TABLE saas_instance (id serial PRIMARY KEY, subdomain varchar, state varchar);
       INSERT INTO saas_instance (subdomain, state) VALUES ('${SUB}', 'running'), ('globex', 'suspended');`,
      );
      odoo = new FakeOdoo();
      odoo.addPlan(STARTER_PLAN);
      odoo.addInstance(draftInstance({ id: 5, subdomain: SUB, state: 'running', dbName: DB }));
      records = new FakeBackupRecords();
      records.policies.set(STARTER_PLAN.id, { intervalHours: 24, keep: 3 });
      docker = new FakeDocker();
      await docker.seed({
        name: CONTAINER,
        image: 'odoo:17',
        cmd: [],
        labels: {},
        memoryMb: 512,
        cpus: 1,
        binds: [],
        network: 'saas_tenants',
        restart: 'unless-stopped',
      });
      proxy = new FakeProxy();
      resticPassword = randomBytes(16).toString('hex');
      masterFiles = path.join(root, 'master-data', 'filestore', MASTER);
      await mkdir(path.join(masterFiles, 'ab'), { recursive: true });
      await writeFile(path.join(masterFiles, 'ab', 'invoice.pdf'), 'an invoice');
      backups = new BackupService({
        repository: new ResticAdapter({
          repositoryBase: path.join(root, 'repos'),
          password: resticPassword,
          storageEnv: {},
          host: 'saas-bridge-test',
        }),
        dumps: new PgDumpAdapter(adminUrl, db),
        logger: pino({ level: 'silent' }),
      });
      service = new InstanceBackupService({
        odoo,
        records,
        backups,
        docker,
        proxy,
        tenant: new FakeTenant(docker, new FakeDatabase()),
        dataDirOf: (name) => path.join(dataRoot, name),
        identity: IDENTITY,
        readyTimeoutMs: 1_000,
        master: { database: MASTER, filestoreDir: masterFiles, keep: 2 },
        observer: {
          finished: (kind, outcome) => finished.push(`${kind}:${outcome}`),
          newestAge: (instance, seconds) => ages.set(instance, seconds),
        },
        logger: pino({ level: 'silent' }),
      });
    });

    afterAll(async () => {
      for (const name of [DB, MASTER, SCRATCH]) await db?.dropDatabase(name);
      for (const name of [DB, MASTER]) await db?.dropRole(name);
      await db?.close();
      if (root) await rm(root, { recursive: true, force: true });
    });

    it('takes the scheduled backup of the current slot once, then none until the next slot', async () => {
      const due = await service.dueScheduledBackups();
      expect(due.map((d) => d.instanceId)).toEqual([5]);
      await service.backupInstance(
        { instanceId: 5, kind: 'scheduled' },
        `slot-${due[0]!.slotStart}`,
      );
      expect(await service.dueScheduledBackups()).toEqual([]);
      const [record] = records.of(5);
      expect(record).toMatchObject({ kind: 'scheduled', state: 'done', error: false });
      expect(record?.snapshot_id).toMatch(/^[0-9a-f]{8,64}$/);
      expect(record?.size_mb).toBeGreaterThan(0);
      expect(ages.get('5')).toBeLessThan(60);
    });

    it('fills the pending record of "Backup now"', async () => {
      const pending = records.addPending(5, 'manual');
      await service.backupInstance(
        { instanceId: 5, kind: 'manual', backupRecordId: pending },
        'ev-1',
      );
      expect(records.records.get(pending)).toMatchObject({ state: 'done', jobRef: 'ev-1' });
      expect(finished).toEqual(['scheduled:done', 'manual:done']);
    });

    it('rolls back: before-restore backup, stop, replace, start behind the same host', async () => {
      const manual = records.of(5).find((r) => r.kind === 'manual')!;
      await sql(adminUrl, DB, `UPDATE res_partner SET name = 'Oops' WHERE id = 1`);
      await rm(path.join(tenant.filestoreDir, tenant.attachments[0]!.storeFname));
      const ipBefore = (await docker.findContainer(CONTAINER))?.ip;

      await service.restoreInstance(
        { instanceId: 5, snapshotId: manual.snapshot_id!, requestedBy: 'ann' },
        'restore-1',
      );

      expect(await partner1(DB)).toBe('Customer 1');
      const file = await readFile(
        path.join(tenant.filestoreDir, tenant.attachments[0]!.storeFname),
      );
      expect(file.equals(tenant.attachments[0]!.bytes)).toBe(true);
      const container = await docker.findContainer(CONTAINER);
      expect(container?.status).toBe('running');
      expect(container?.ip).not.toBe(ipBefore);
      expect(proxy.routes.get(`${SUB}.${BASE_DOMAIN}`)).toMatchObject({
        kind: 'upstream',
        upstream: `${container?.ip}:8069`,
      });
      const before = records.of(5).find((r) => r.kind === 'before-restore');
      expect(before?.state).toBe('done');
      // the state just before the restore is kept: the "Oops" can be had back
      const beforeSet = await backups.find(DB, before!.snapshot_id!);
      expect(beforeSet.kind).toBe('before-restore');
      expect(odoo.notes.at(-1)?.body).toContain('Restored to backup');
    });

    it('refuses an unknown snapshot before stopping anything', async () => {
      await expect(
        service.restoreInstance(
          { instanceId: 5, snapshotId: 'deadbeef', requestedBy: 'ann' },
          'restore-2',
        ),
      ).rejects.toMatchObject({ code: 'backup_not_found' });
      expect((await docker.findContainer(CONTAINER))?.status).toBe('running');
    });

    it("keeps the plan's count of backups and takes a final one of a terminated instance", async () => {
      odoo.instance(5).state = 'terminated';
      await service.backupInstance({ instanceId: 5, kind: 'final' }, 'final-1');
      const sets = await backups.list(DB);
      expect(sets).toHaveLength(3);
      expect(sets[0]?.kind).toBe('final');
      // the master no longer offers the backup retention removed
      const done = records.of(5).filter((r) => r.state === 'done');
      expect(done.map((r) => r.kind)).toEqual(['manual', 'before-restore', 'final']);
      expect(await service.backupInstance({ instanceId: 5, kind: 'scheduled' }, 'x')).toContain(
        'backup',
      );
      odoo.instance(5).state = 'draft';
      expect(await service.backupInstance({ instanceId: 5, kind: 'scheduled' }, 'y')).toMatch(
        /^skipped/,
      );
      odoo.instance(5).state = 'running';
    });

    it('shows a failed backup with its reason on the instance', async () => {
      odoo.instance(5).dbName = `tenant_missing_${id}`;
      const err = await service
        .backupInstance({ instanceId: 5, kind: 'manual' }, 'fail-1')
        .catch((e: unknown) => e);
      await service.recordFailure({ instanceId: 5, kind: 'manual' }, 'fail-1', err);
      const failed = [...records.records.values()].find((r) => r.jobRef === 'fail-1');
      expect(failed?.state).toBe('failed');
      expect(failed?.error).toMatch(/does not exist/);
      expect(odoo.notes.at(-1)?.body).toMatch(/^Backup failed: /);
      odoo.instance(5).dbName = DB;
    });

    it("removes a purged tenant's repository once the master says its backups expired", async () => {
      expect((await backups.list(DB)).length).toBeGreaterThan(0);
      // not purged: the backups are kept, whatever is asked
      await expect(service.expireBackups(5)).rejects.toMatchObject({ permanent: true });
      expect((await backups.list(DB)).length).toBeGreaterThan(0);
      const instance = odoo.instance(5);
      const was = { state: instance.state, purgedAt: instance.purgedAt };
      Object.assign(instance, { state: 'terminated', purgedAt: '2027-03-01 04:30:00' });
      try {
        expect(await service.expireBackups(5)).toMatch(/^repository tenant_\w+ removed/);
        await expect(stat(path.join(root, 'repos', DB))).rejects.toThrow(/ENOENT/);
        expect(records.of(5).every((r) => r.state === 'expired')).toBe(true);
        // a resent event (retried job) finds nothing left to remove and converges
        expect(await service.expireBackups(5)).toContain('0 records expired');
      } finally {
        Object.assign(instance, was);
      }
    });

    it('backs up the master, and a restore into a scratch database lists the instances', async () => {
      await service.backupMaster('master-run-1');
      const [master] = records.of(undefined);
      expect(master).toMatchObject({ state: 'done', kind: 'scheduled' });
      const [latest] = await backups.list(MASTER_BACKUP_KEY);
      await db.ensureRole(MASTER, randomBytes(12).toString('hex'));
      await backups.restore(MASTER_BACKUP_KEY, latest!.backupId, {
        database: SCRATCH,
        owner: MASTER,
        filestoreDir: path.join(root, 'scratch-filestore'),
      });
      const rows = await sql<{ subdomain: string }>(
        adminUrl,
        SCRATCH,
        'SELECT subdomain FROM saas_instance ORDER BY id',
      );
      expect(rows.map((r) => r.subdomain)).toEqual([SUB, 'globex']);
    });

    it("restores the master with the README's own commands: the instance list is there", async () => {
      const readme = await readFile(path.resolve('README.md'), 'utf8');
      const block = /<!-- master-restore:begin -->\s*```sh\n([\s\S]*?)```/.exec(readme)?.[1];
      expect(block).toBeTruthy();
      const cwd = await mkdtemp(path.join(root, 'ops-'));
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        RESTIC_PASSWORD: resticPassword,
        RESTIC_REPOSITORY_BASE: path.join(root, 'repos'),
        PG_ADMIN_URL: adminUrl,
        SCRATCH: `${SCRATCH}_readme`,
        OWNER: MASTER,
      };
      const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
      try {
        const script = `cd ${cwd}\n${block}`;
        const out = await run('/usr/bin/env', [
          '-i',
          ...assignments,
          'bash',
          '-euo',
          'pipefail',
          '-c',
          script,
        ]);
        expect(out).toContain(SUB);
        expect(out).toContain('globex');
        const restored = path.join(cwd, 'master-filestore', masterFiles, 'ab', 'invoice.pdf');
        expect(await readFile(restored, 'utf8')).toBe('an invoice');
      } finally {
        await db.dropDatabase(`${SCRATCH}_readme`);
      }
    });
  },
);

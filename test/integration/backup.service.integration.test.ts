import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile, mkdtemp, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgDumpAdapter } from '../../src/adapters/pg-dump.adapter.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { ResticAdapter } from '../../src/adapters/restic.adapter.js';
import { BackupService, type BackupSubject } from '../../src/services/backup.service.js';
import { logFigure, unavailable } from '../support/integration/availability.js';
import {
  createTenant,
  sql,
  tableOwners,
  type TenantFixture,
} from '../support/integration/backup-fixture.js';
import { pgAdminUrl } from '../support/integration/pg-admin.js';
import { run } from '../support/integration/run.js';

let adminUrl = '';
const skip = await unavailable('PostgreSQL and restic', async () => {
  adminUrl = await pgAdminUrl();
  const probe = new PostgresAdapter(adminUrl);
  await probe.ping().finally(() => probe.close());
  await run('restic', ['version']);
});

const id = randomBytes(3).toString('hex');
const TENANT = `it_bk_${id}`;
const COPY = `it_bk_copy_${id}`;
let root: string;
let db: PostgresAdapter;
let restic: ResticAdapter;
let service: BackupService;
let tenant: TenantFixture;
let subject: BackupSubject;

const partner1 = async (database: string) =>
  (await sql<{ name: string }>(adminUrl, database, 'SELECT name FROM res_partner WHERE id = 1'))[0]
    ?.name;

describe.skipIf(skip)('BackupService on real restic and PostgreSQL', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'saas-it-backup-'));
    db = new PostgresAdapter(adminUrl);
    restic = new ResticAdapter({
      repositoryBase: path.join(root, 'repos'),
      password: randomBytes(16).toString('hex'),
      storageEnv: {},
      host: 'saas-bridge-test',
    });
    service = new BackupService({
      repository: restic,
      dumps: new PgDumpAdapter(adminUrl, db),
      logger: pino({ level: 'silent' }),
    });
    tenant = await createTenant(db, adminUrl, TENANT, path.join(root, 'data'));
    subject = {
      key: TENANT,
      database: TENANT,
      filestoreDir: tenant.filestoreDir,
      labels: { instance: '42', plan: 'pro' },
    };
  });

  afterAll(async () => {
    for (const name of [TENANT, COPY]) {
      await db?.dropDatabase(name);
      await db?.dropRole(name);
    }
    await db?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('brings back a changed record and a deleted attachment, byte for byte', async () => {
    const t0 = Date.now();
    const backup = await service.backup(subject, 'manual');
    const backupMs = Date.now() - t0;
    expect(backup.snapshotId).toMatch(/^[0-9a-f]{8,64}$/);
    expect(backup.sizeMb).toBeGreaterThan(0.4);

    await sql(adminUrl, TENANT, `UPDATE res_partner SET name = 'Changed' WHERE id = 1`);
    await sql(adminUrl, TENANT, `DELETE FROM res_partner WHERE id > 500`);
    const lost = tenant.attachments[0]!;
    await rm(path.join(tenant.filestoreDir, lost.storeFname));
    await writeFile(path.join(tenant.filestoreDir, 'added-after-backup'), 'later');
    expect(await partner1(TENANT)).toBe('Changed');

    const t1 = Date.now();
    await service.restore(TENANT, backup.snapshotId, {
      database: TENANT,
      owner: TENANT,
      filestoreDir: tenant.filestoreDir,
    });
    const restoreMs = Date.now() - t1;

    expect(await partner1(TENANT)).toBe('Customer 1');
    const [{ n } = { n: '0' }] = await sql<{ n: string }>(
      adminUrl,
      TENANT,
      'SELECT count(*) AS n FROM res_partner',
    );
    expect(Number(n)).toBe(1000);
    for (const a of tenant.attachments) {
      expect((await readFile(path.join(tenant.filestoreDir, a.storeFname))).equals(a.bytes)).toBe(
        true,
      );
    }
    await expect(readFile(path.join(tenant.filestoreDir, 'added-after-backup'))).rejects.toThrow();
    expect(await tableOwners(adminUrl, TENANT)).toEqual([TENANT]);
    logFigure(
      `backup of 1,000 records + ${tenant.attachments.length} attachments (${backup.sizeMb} MB): ${backupMs} ms; restore: ${restoreMs} ms`,
    );
  });

  it('restores into a new database owned by its own role, the original untouched', async () => {
    const [latest] = await service.list(TENANT);
    await db.ensureRole(COPY, randomBytes(12).toString('hex'));
    await sql(adminUrl, TENANT, `UPDATE res_partner SET name = 'Original moved on' WHERE id = 1`);
    const filestoreDir = path.join(root, 'data', COPY, 'filestore', COPY);
    await service.restore(TENANT, latest!.backupId, {
      database: COPY,
      owner: COPY,
      filestoreDir,
    });
    expect(await partner1(COPY)).toBe('Customer 1');
    expect(await partner1(TENANT)).toBe('Original moved on');
    expect(await tableOwners(adminUrl, COPY)).toEqual([COPY]);
    const copied = await readFile(path.join(filestoreDir, tenant.attachments[1]!.storeFname));
    expect(copied.equals(tenant.attachments[1]!.bytes)).toBe(true);
  });

  it('records kind, labels and the manifest Odoo writes with each backup', async () => {
    const [latest] = await service.list(TENANT);
    expect(latest).toMatchObject({
      kind: 'manual',
      complete: true,
      labels: { instance: '42', plan: 'pro', odoo: '17.0' },
    });
    const manifest = await service.manifest(TENANT, latest!);
    expect(manifest).toMatchObject({
      odoo_dump: '1',
      db_name: TENANT,
      version: '17.0',
      modules: { base: '17.0.1.3', web: '17.0.1.0' },
    });
    expect(manifest?.modules).not.toHaveProperty('crm');
  });

  it('leaves no snapshot when pg_dump fails', async () => {
    const before = (await restic.snapshots(TENANT)).length;
    await expect(
      service.backup({ ...subject, database: `it_bk_missing_${id}` }, 'manual'),
    ).rejects.toThrow(/backup_failed|does not exist|manifest/);
    expect((await restic.snapshots(TENANT)).length).toBe(before);
  });

  it('keeps exactly the configured number of backups, newest first; dedup keeps the repository small', async () => {
    const sizeBefore = await restic.sizeBytes(TENANT);
    const made = [];
    for (let i = 0; i < 10; i += 1) made.push(await service.backup(subject, 'scheduled'));
    const sizeAfter = await restic.sizeBytes(TENANT);
    logFigure(
      `repository of ${TENANT}: ${(sizeBefore / 1024 / 1024).toFixed(2)} MB after the first backups, ${(sizeAfter / 1024 / 1024).toFixed(2)} MB after 10 more of the unchanged database (+${((sizeAfter - sizeBefore) / 1024).toFixed(0)} KB); each added ~${made.at(-1)?.addedMb} MB`,
    );
    expect(sizeAfter - sizeBefore).toBeLessThan(sizeBefore);

    const result = await service.applyRetention(TENANT, 4);
    expect(result.kept).toBe(4);
    const left = await service.list(TENANT);
    expect(left.map((s) => s.backupId)).toEqual(
      made
        .slice(-4)
        .reverse()
        .map((b) => b.backupId),
    );
    // three snapshots per backup (manifest, dump, filestore) and nothing else
    expect((await restic.snapshots(TENANT)).length).toBe(12);
  });

  it('purges every backup of a tenant at once', async () => {
    const other = { ...subject, key: `${TENANT}_purged` };
    await service.backup(other, 'final');
    expect(await service.list(other.key)).toHaveLength(1);
    await service.purge(other.key);
    expect(await service.list(other.key)).toEqual([]);
  });

  it('detects a corrupted repository with check', async () => {
    await service.check(TENANT, '100%');
    const dataDir = path.join(root, 'repos', TENANT, 'data');
    const packs = await readdir(dataDir, { recursive: true, withFileTypes: true });
    const pack = packs.find((p) => p.isFile());
    const file = await open(path.join(pack!.parentPath, pack!.name), 'r+');
    try {
      await file.write(randomBytes(64), 0, 64, 40);
    } finally {
      await file.close();
    }
    await expect(service.check(TENANT, '100%')).rejects.toMatchObject({ code: 'backup_corrupt' });
  });
});

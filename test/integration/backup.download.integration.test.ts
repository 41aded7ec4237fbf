import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOdooBackupZip } from '../../src/adapters/odoo-backup-zip.js';
import { PgDumpAdapter } from '../../src/adapters/pg-dump.adapter.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { ResticAdapter } from '../../src/adapters/restic.adapter.js';
import { backupDownloadRoute } from '../../src/http/backup-download.route.js';
import { signDownload } from '../../src/http/download-link.js';
import { errorHandler } from '../../src/http/error-handler.js';
import { BackupService } from '../../src/services/backup.service.js';
import { logFigure, unavailable, withoutOdooSrc } from '../support/integration/availability.js';
import { pgAdminUrl } from '../support/integration/pg-admin.js';
import { run } from '../support/integration/run.js';

const ODOO_SRC = process.env.ODOO_SRC;
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.resolve('test/support/integration/odoo_db.py');

let adminUrl = '';
const skip =
  withoutOdooSrc() ??
  (await unavailable('Odoo source, PostgreSQL and restic', async () => {
    if (!ODOO_SRC) throw new Error('ODOO_SRC is not set');
    adminUrl = await pgAdminUrl();
    await run('restic', ['version']);
  }));

const id = randomBytes(3).toString('hex');
const DB = `it_odoo_bk_${id}`;
const RESTORED = `it_odoo_rs_${id}`;
const SECRET = randomBytes(16).toString('hex');
const INSTANCE = 77;

let root: string;
let db: PostgresAdapter;
let repository: ResticAdapter;
let backups: BackupService;
let original: { partner: string; sha256: string; store_fname: string };

function odoo(...args: string[]): Promise<string> {
  const url = new URL(adminUrl);
  const env = {
    ODOO_SRC: ODOO_SRC ?? '',
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password),
  };
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return run('/usr/bin/env', [...assignments, PYTHON, SCRIPT, ...args]);
}

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1) ?? '{}');

describe.skipIf(skip)('A backup downloaded as an Odoo zip restores with Odoo itself', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'saas-it-download-'));
    db = new PostgresAdapter(adminUrl);
    original = lastJson(await odoo('create', DB, path.join(root, 'odoo-data')));
    repository = new ResticAdapter({
      repositoryBase: path.join(root, 'repos'),
      password: randomBytes(16).toString('hex'),
      storageEnv: {},
      host: 'saas-bridge-test',
    });
    backups = new BackupService({
      repository,
      dumps: new PgDumpAdapter(adminUrl, db),
      logger: pino({ level: 'silent' }),
    });
  }, 600_000);

  afterAll(async () => {
    for (const name of [DB, RESTORED]) await db?.dropDatabase(name);
    await db?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('streams the zip through a signed link and Odoo restore_db brings record and file back', async () => {
    const filestoreDir = path.join(root, 'odoo-data', 'filestore', DB);
    const backup = await backups.backup(
      { key: DB, database: DB, filestoreDir, labels: { instance: String(INSTANCE) } },
      'manual',
    );

    const app = express();
    app.use(
      backupDownloadRoute({
        sharedSecret: SECRET,
        now: Date.now,
        logger: pino({ level: 'silent' }),
        prepare: async (instanceId, snapshotId) => {
          if (instanceId !== INSTANCE) throw new Error('not this instance');
          const set = await backups.find(DB, snapshotId);
          return {
            filename: `acme_${set.backupId}.zip`,
            write: (out) => writeOdooBackupZip(out, backups, repository, DB, set),
          };
        },
      }),
    );
    app.use(errorHandler(pino({ level: 'silent' })));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const expires = Math.floor(Date.now() / 1000) + 600;
      const link = { instanceId: INSTANCE, snapshotId: backup.snapshotId, expires };
      const query = `instance=${INSTANCE}&snapshot=${backup.snapshotId}&expires=${expires}`;
      const forged = await fetch(`${base}/v1/backups/download?${query}&sig=${'0'.repeat(64)}`);
      expect(forged.status).toBe(401);
      const other = signDownload(SECRET, { ...link, instanceId: INSTANCE + 1 });
      const wrong = await fetch(
        `${base}/v1/backups/download?${query.replace(`instance=${INSTANCE}`, `instance=${INSTANCE + 1}`)}&sig=${other}`,
      );
      expect(wrong.status).toBeGreaterThanOrEqual(400);

      const t0 = Date.now();
      const response = await fetch(
        `${base}/v1/backups/download?${query}&sig=${signDownload(SECRET, link)}`,
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/zip');
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="acme_/);
      const zipPath = path.join(root, 'download.zip');
      await pipeline(
        Readable.fromWeb(response.body as unknown as WebReadableStream),
        createWriteStream(zipPath),
      );
      const downloadMs = Date.now() - t0;
      const listing = await run('unzip', ['-l', zipPath]);
      expect(listing).toContain('dump.sql');
      expect(listing).toContain('manifest.json');
      expect(listing).toContain(`filestore/${original.store_fname}`);

      const t1 = Date.now();
      const restored = lastJson(
        await odoo('restore', RESTORED, zipPath, path.join(root, 'r-data')),
      );
      logFigure(
        `Odoo backup zip of a base database (${backup.sizeMb} MB): download ${downloadMs} ms, Odoo restore_db ${Date.now() - t1} ms`,
      );
      expect(restored).toEqual(original);
    } finally {
      server.close();
    }
  });
});

import { Readable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { backupInstanceJob } from '../../../src/jobs/backup-instance.job.js';
import type {
  BackupRepositoryPort,
  DatabaseDumpPort,
  OdooManifest,
  Snapshot,
} from '../../../src/ports/backup.port.js';
import type { JobContext } from '../../../src/ports/jobs.port.js';
import { BackupService } from '../../../src/services/backup.service.js';
import { InstanceBackupService } from '../../../src/services/instance-backup.service.js';
import { TenantIdentity } from '../../../src/services/tenant-identity.js';
import { FakeBackupRecords } from '../../support/fakes/fake-backup-records.js';
import { FakeDatabase } from '../../support/fakes/fake-database.js';
import { FakeDocker } from '../../support/fakes/fake-docker.js';
import { FakeOdoo } from '../../support/fakes/fake-odoo.js';
import { FakeProxy } from '../../support/fakes/fake-proxy.js';
import { FakeTenant } from '../../support/fakes/fake-tenant.js';
import { draftInstance, STARTER_PLAN } from '../../support/world.js';

const logger = pino({ level: 'silent' });
const MANIFEST: OdooManifest = {
  odoo_dump: '1',
  db_name: 'x',
  version: '17.0',
  version_info: [17, 0],
  major_version: '17.0',
  pg_version: '15.0',
  modules: { base: '17.0.1.3' },
};

/** pg_dump that fails its first `failures` runs, then works; restic that stores anything */
function backupsFailing(failures: number) {
  let calls = 0;
  const dumps: DatabaseDumpPort = {
    manifest: async () => {
      calls += 1;
      if (calls <= failures) throw new Error('pg_dump: connection to server refused');
      return MANIFEST;
    },
    dump: () => Readable.from([Buffer.from('-- dump')]),
    restore: async () => undefined,
  };
  const stored: Snapshot[] = [];
  const repository = {
    ensureRepository: async () => undefined,
    backupStream: async (
      _key: string,
      source: Readable,
      _file: string,
      tags: Record<string, string>,
    ) => {
      for await (const chunk of source) void chunk;
      const id = `${stored.length + 1}`.padStart(8, 'a');
      stored.push({ id, shortId: id, time: new Date().toISOString(), paths: [], tags });
      return { snapshotId: id, bytesProcessed: 10, bytesAdded: 10 };
    },
    backupDirectory: async () => undefined,
    snapshots: async () => stored,
    forget: async () => undefined,
  } as unknown as BackupRepositoryPort;
  return new BackupService({ repository, dumps, logger });
}

function setup(failures: number) {
  const odoo = new FakeOdoo();
  odoo.addPlan(STARTER_PLAN);
  odoo.addInstance(draftInstance({ id: 1, subdomain: 'acme', state: 'running' }));
  const records = new FakeBackupRecords();
  const docker = new FakeDocker();
  const finished: string[] = [];
  const instanceBackups = new InstanceBackupService({
    odoo,
    records,
    backups: backupsFailing(failures),
    docker,
    proxy: new FakeProxy(),
    tenant: new FakeTenant(docker, new FakeDatabase()),
    dataDirOf: (db) => `/srv/tenants/${db}`,
    identity: new TenantIdentity({
      owner: 'test-owner',
      baseDomain: 'saas.example.com',
      bridgeSecret: 'x'.repeat(32),
    }),
    readyTimeoutMs: 1000,
    master: { database: 'saas_master', filestoreDir: undefined, keep: 3 },
    observer: {
      finished: (kind, outcome) => void finished.push(`${kind}:${outcome}`),
      newestAge: () => undefined,
    },
    logger,
  });
  const job = backupInstanceJob({ instanceBackups, oneJobPerInstance: (handler) => handler });
  return { odoo, records, job, finished };
}

const attempt = (n: number): JobContext => ({
  jobId: 'backup-instance-1-ev',
  attempt: n,
  finalAttempt: n === 3,
  logger,
  progress: async () => undefined,
});

describe('a failing backup attempt', () => {
  it('is marked failed with its reason at once, while retries still run', async () => {
    const { records, job, odoo } = setup(1);
    const pending = records.addPending(1, 'manual');
    const data = { instanceId: 1, kind: 'manual' as const, backupRecordId: pending, ref: 'ev' };
    await expect(job.handler(data, attempt(1))).rejects.toThrow(/connection to server refused/);
    expect(records.records.get(pending)).toMatchObject({
      state: 'failed',
      error: 'pg_dump: connection to server refused',
    });
    // not the last attempt: no note on the instance yet
    expect(odoo.notes).toEqual([]);
    // the retry works: done, and the reason is cleared
    await job.handler(data, attempt(2));
    expect(records.records.get(pending)).toMatchObject({ state: 'done', error: false });
  });

  it('after the last attempt also tells the admin on the instance', async () => {
    const { records, job, odoo, finished } = setup(3);
    const data = { instanceId: 1, kind: 'scheduled' as const, ref: 'slot-1' };
    for (const n of [1, 2, 3]) await expect(job.handler(data, attempt(n))).rejects.toThrow();
    await job.onFinalFailure!(data, new Error('pg_dump: connection to server refused'));
    const [record] = records.of(1);
    expect(record).toMatchObject({ state: 'failed', kind: 'scheduled' });
    expect(odoo.notes.at(-1)?.body).toContain(
      'Backup failed: pg_dump: connection to server refused',
    );
    expect(finished).toEqual(['scheduled:failed']);
  });
});

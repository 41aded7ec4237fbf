import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { backupJobDefinitions, backupSchedules } from '../../../src/jobs/backup.jobs.js';
import { JOBS, type JobContext } from '../../../src/ports/jobs.port.js';
import type { BackupService } from '../../../src/services/backup.service.js';
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
const ctx: JobContext = {
  jobId: 'job-1',
  attempt: 1,
  finalAttempt: false,
  logger,
  progress: async () => undefined,
};

function setup() {
  const odoo = new FakeOdoo();
  odoo.addPlan(STARTER_PLAN);
  odoo.addInstance(draftInstance({ id: 1, subdomain: 'acme', state: 'running' }));
  odoo.addInstance(draftInstance({ id: 2, subdomain: 'globex', state: 'suspended' }));
  odoo.addInstance(draftInstance({ id: 3, subdomain: 'initech', state: 'draft' }));
  const records = new FakeBackupRecords();
  records.policies.set(STARTER_PLAN.id, { intervalHours: 6, keep: 4 });
  const docker = new FakeDocker();
  const instanceBackups = new InstanceBackupService({
    odoo,
    records,
    // the scheduling job never reaches restic
    backups: {} as BackupService,
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
    observer: { finished: () => undefined, newestAge: () => undefined },
    logger,
  });
  const queued = new Map<string, { name: string; data: object }>();
  const definitions = backupJobDefinitions({
    instanceBackups,
    oneJobPerInstance: (handler) => handler,
    enqueue: async (name, data, { jobId }) => {
      if (!queued.has(jobId)) queued.set(jobId, { name, data });
      return jobId;
    },
    checkReadData: '5%',
  });
  return { definitions, queued };
}

describe('backup jobs', () => {
  it('defines every backup job once, on the backups queue', () => {
    const { definitions } = setup();
    expect(definitions.map((d) => d.name).sort()).toEqual([...JOBS.backups].sort());
    expect(new Set(definitions.map((d) => d.queue))).toEqual(new Set(['backups']));
    const names = backupSchedules({ masterIntervalHours: 24 }).map((s) => s.name);
    expect(names).toEqual(['schedule-backups', 'backup-master', 'check-backups']);
  });

  it('refuses job data that is not what the job expects', () => {
    const { definitions } = setup();
    const backup = definitions.find((d) => d.name === 'backup-instance')!;
    expect(backup.schema.safeParse({ instanceId: 1, kind: 'weekly', ref: 'x' }).success).toBe(
      false,
    );
    const restore = definitions.find((d) => d.name === 'restore-instance')!;
    const bad = { instanceId: 1, snapshotId: 'latest', requestedBy: 'ann', ref: 'x' };
    expect(restore.schema.safeParse(bad).success).toBe(false);
  });

  it("queues the live instances' scheduled backups once per slot, however often it runs", async () => {
    const { definitions, queued } = setup();
    const schedule = definitions.find((d) => d.name === 'schedule-backups')!;
    await schedule.handler({}, ctx);
    await schedule.handler({}, ctx);
    const jobs = [...queued.entries()];
    expect(jobs.map(([, job]) => job.name)).toEqual(['backup-instance', 'backup-instance']);
    expect(jobs.map(([, job]) => (job.data as { instanceId: number }).instanceId)).toEqual([1, 2]);
    for (const [jobId, job] of jobs) {
      expect(jobId).toMatch(/^backup-instance-[12]-slot-\d+$/);
      expect(job.data).toMatchObject({ kind: 'scheduled', ref: jobId });
    }
  });
});

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ContainerSpec } from '../../../src/ports/docker.port.js';
import type { UpdateInstanceData } from '../../../src/schemas/update-job.schema.js';
import { TenantUpdateService } from '../../../src/services/tenant-update.service.js';
import { FakeDocker } from '../../support/fakes/fake-docker.js';
import {
  FakeModuleVersions,
  FakeRolloutRecords,
  FakeUpdateBackups,
} from '../../support/fakes/fake-update.js';
import { namesOf, RUNTIME, worldWithInstance } from '../../support/world.js';

const OLD = '17.0.1.2.0';
const NEW = '17.0.1.3.0';
const { db: DB, container: CONTAINER } = namesOf(1);

const REQUEST: UpdateInstanceData = {
  instanceId: 1,
  eventId: 'e1',
  rolloutLineId: 31,
  targetVersion: NEW,
  modules: ['saas_tenant'],
};

/**
 * A provisioned running tenant on saas_tenant OLD; the one-off `-u` container "updates" the
 * database to `upgradeTo` (or fails as `runResult` says), as the tenant image's Odoo would.
 */
async function setup(options: { upgradeTo?: string; available?: string } = {}) {
  const world = await worldWithInstance({}, true);
  world.odoo.instance(1).state = 'running';
  const versions = new FakeModuleVersions();
  versions.set(DB, 'saas_tenant', OLD);
  const backups = new FakeUpdateBackups(versions);
  const records = new FakeRolloutRecords();
  const docker = world.docker as FakeDocker;
  docker.runs.length = 0; // the template build's
  const order: string[] = [];
  const run = docker.runToCompletion.bind(docker);
  docker.runToCompletion = async (spec: ContainerSpec) => {
    order.push(
      `run ${spec.name} while tenant ${docker.containers.has(CONTAINER) ? 'exists' : 'gone'}`,
    );
    const result = await run(spec);
    if (result.exitCode === 0) versions.set(DB, 'saas_tenant', options.upgradeTo ?? NEW);
    return result;
  };
  const backupBefore = backups.backupBeforeUpdate.bind(backups);
  backups.backupBeforeUpdate = async () => {
    order.push(`backup while tenant ${docker.containers.get(CONTAINER)?.status}`);
    return backupBefore();
  };
  const service = new TenantUpdateService({
    odoo: world.odoo,
    records,
    backups,
    docker,
    db: world.db,
    versions,
    tenant: world.tenant,
    proxy: world.proxy,
    identity: world.identity,
    runtime: RUNTIME,
    dataDirOf: (db) => `/srv/tenants/${db}`,
    availableVersion: async () => options.available ?? NEW,
    readyTimeoutMs: 1_000,
    updateTimeoutMs: 1_000,
    logger: pino({ level: 'silent' }),
  });
  return { world, docker, versions, backups, records, service, order };
}

function passwordOf(spec: ContainerSpec | undefined): string | undefined {
  return spec?.env?.find((e) => e.startsWith('PGPASSWORD='));
}

describe('TenantUpdateService', () => {
  it('backs up, updates in a one-off container with the tenant stopped, starts it and reports the new version', async () => {
    const { world, docker, records, service, order } = await setup();
    const oldIp = docker.containers.get(CONTAINER)?.ip;

    expect(await service.update(REQUEST, 'job-1')).toMatch(
      /^done: updated saas_tenant from 17.0.1.2.0 to 17.0.1.3.0/,
    );

    expect(order).toEqual([
      'backup while tenant running',
      'run saas-update-tref0000001 while tenant gone',
    ]);
    const [oneOff] = docker.runs;
    expect(oneOff?.cmd).toEqual(
      expect.arrayContaining(['-u', 'saas_tenant', '--stop-after-init', `--database=${DB}`]),
    );
    expect(oneOff?.restart).toBe('no');
    // the new tenant container and the one-off use the role's new password
    const tenant = docker.containers.get(CONTAINER);
    expect(tenant?.status).toBe('running');
    expect(passwordOf(tenant?.spec)).toBe(passwordOf(oneOff));
    expect(passwordOf(tenant?.spec)).toBe(`PGPASSWORD=${world.db.roles.get(DB)}`);
    expect(tenant?.spec.labels).toMatchObject({ 'saas.managed': 'true' });
    // routed to the new address
    const route = world.proxy.routes.get('acme.saas.example.com');
    expect(route).toMatchObject({ kind: 'upstream', upstream: `${tenant?.ip}:8069` });
    expect(tenant?.ip).not.toBe(oldIp);
    expect(records.reports).toEqual([
      { lineId: 31, report: expect.objectContaining({ outcome: 'done', version: NEW }) },
    ]);
  });

  it('routes its verified custom domains to the new container too', async () => {
    const { world, docker, service } = await setup();
    world.odoo.instance(1).customDomains = ['erp.acme.example'];
    await service.update(REQUEST, 'job-2');
    const ip = docker.containers.get(CONTAINER)?.ip;
    expect(world.proxy.routes.get('erp.acme.example')).toMatchObject({
      kind: 'upstream',
      upstream: `${ip}:8069`,
    });
  });

  it('rolls a failing -u back to the backup: the tenant serves its old version, the line says why', async () => {
    const { world, docker, versions, backups, records, service } = await setup();
    docker.runResult = {
      exitCode: 255,
      logs: [
        '2026-12-02 03:00:00,000 1 INFO tenant odoo.modules.loading: updating modules list',
        '2026-12-02 03:00:01,000 1 CRITICAL tenant odoo.service.server: Failed to initialize database `tenant`.',
        'Traceback (most recent call last):',
        '  File "/mnt/extra-addons/saas_tenant/migrations/17.0.1.3.0/pre-migrate.py", line 2, in migrate',
        'RuntimeError: migration raised on purpose',
        '2026-12-02 03:00:01,100 1 INFO tenant odoo.service.server: Initiating shutdown',
      ].join('\r\n'),
    };

    const outcome = await service.update(REQUEST, 'job-1');

    expect(outcome).toMatch(/^failed: update failed: odoo -u saas_tenant failed \(exit 255\)/);
    expect(backups.restored).toHaveLength(1);
    expect(await versions.moduleVersion(DB, 'saas_tenant')).toBe(OLD);
    expect(docker.containers.get(CONTAINER)?.status).toBe('running');
    expect(world.proxy.routes.get('acme.saas.example.com')).toMatchObject({
      upstream: `${docker.containers.get(CONTAINER)?.ip}:8069`,
    });
    const [{ report }] = records.reports as [(typeof records.reports)[number]];
    expect(report.outcome).toBe('failed');
    expect(report.version).toBe(OLD);
    expect(report.message).toContain('Failed to initialize database');
    // the exception that ended the traceback, not only Odoo's CRITICAL line
    expect(report.message).toContain('RuntimeError: migration raised on purpose');
    expect(report.message).toContain(`rolled back to backup ${backups.restored[0]}`);
    expect(world.odoo.instance(1).state).toBe('running');
  });

  it('rolls back when the tenant comes up on another version than the target', async () => {
    const { backups, records, service, versions } = await setup({ upgradeTo: '17.0.1.2.5' });
    await service.update(REQUEST, 'job-1');
    expect(backups.restored).toHaveLength(1);
    expect(await versions.moduleVersion(DB, 'saas_tenant')).toBe(OLD);
    expect(records.reports[0]?.report.message).toContain(
      'the tenant reports saas_tenant 17.0.1.2.5 after the update, not 17.0.1.3.0',
    );
  });

  it('a failed backup stops nothing and changes nothing', async () => {
    const { docker, backups, records, service } = await setup();
    backups.failBackup = new Error('restic: repository locked');
    const before = docker.containers.get(CONTAINER);
    await service.update(REQUEST, 'job-1');
    expect(docker.runs).toHaveLength(0);
    expect(docker.containers.get(CONTAINER)).toEqual(before);
    expect(records.reports[0]?.report).toEqual({
      outcome: 'failed',
      message: 'backup before the update failed, nothing changed: restic: repository locked',
      version: OLD,
    });
  });

  it('refuses a target this bridge does not offer, before touching the tenant', async () => {
    const { docker, backups, records, service } = await setup({ available: OLD });
    await service.update(REQUEST, 'job-1');
    expect(docker.runs).toHaveLength(0);
    expect(backups.snapshots.size).toBe(0);
    expect(records.reports[0]?.report.message).toBe(
      'not updated: the bridge offers saas_tenant 17.0.1.2.0, the rollout targets 17.0.1.3.0',
    );
  });

  it('refuses an instance that is not running', async () => {
    const { world, docker, records, service } = await setup();
    world.odoo.instance(1).state = 'suspended';
    await service.update(REQUEST, 'job-1');
    expect(docker.runs).toHaveLength(0);
    expect(records.reports[0]?.report).toMatchObject({ outcome: 'failed', version: undefined });
    expect(records.reports[0]?.report.message).toContain('instance is suspended');
  });

  it('a rollback that fails too puts the instance in error with both reasons', async () => {
    const { world, docker, backups, records, service } = await setup();
    docker.runResult = { exitCode: 1, logs: 'boom' };
    backups.failRestore = new Error('restic: snapshot unreadable');
    await service.update(REQUEST, 'job-1');
    const message = records.reports[0]?.report.message ?? '';
    expect(message).toContain('odoo -u saas_tenant failed (exit 1): boom');
    expect(message).toContain('rollback to backup');
    expect(message).toContain('restic: snapshot unreadable');
    expect(world.odoo.instance(1).state).toBe('error');
  });

  it("records each live tenant's version on its instance, skipping those without a database", async () => {
    const { world, versions, service } = await setup();
    world.odoo.addInstance({
      ...world.odoo.instance(1),
      id: 2,
      tenantRef: 'tref0000002',
      subdomain: 'globex',
    });
    world.odoo.instance(2).state = 'running';
    world.odoo.instance(2).dbName = namesOf(2).db;
    versions.set(DB, 'saas_tenant', NEW);
    world.odoo.patches.length = 0;
    expect(await service.recordVersions()).toBe(1);
    expect(world.odoo.patches).toEqual([{ id: 1, patch: { tenant_version: NEW } }]);
  });

  it('writes a version only when it changed since it was last recorded', async () => {
    const { world, versions, service } = await setup();
    versions.set(DB, 'saas_tenant', NEW);
    expect(await service.recordVersions()).toBe(1);
    world.odoo.patches.length = 0;
    expect(await service.recordVersions()).toBe(0);
    expect(world.odoo.patches).toEqual([]);
    versions.set(DB, 'saas_tenant', OLD);
    expect(await service.recordVersions()).toBe(1);
    expect(world.odoo.patches).toEqual([{ id: 1, patch: { tenant_version: OLD } }]);
  });
});

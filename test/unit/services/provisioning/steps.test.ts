import { pino } from 'pino';
import { BridgeError } from '../../../../src/errors.js';
import { describe, expect, it } from 'vitest';
import { cleanUpFailed } from '../../../../src/services/provisioning/clean-up.js';
import { ensureContainer } from '../../../../src/services/provisioning/container.step.js';
import type { ProvisionContext } from '../../../../src/services/provisioning/context.js';
import { ensureDatabase } from '../../../../src/services/provisioning/database.step.js';
import { ensureRoute } from '../../../../src/services/provisioning/route.step.js';
import { ensureTenantSetup } from '../../../../src/services/provisioning/tenant-setup.step.js';
import { tenantLocaleOf } from '../../../../src/services/tenant-locale.js';
import {
  namesOf,
  OWNER,
  STARTER_PLAN,
  worldWithInstance,
  type World,
} from '../../../support/world.js';

const ACME = namesOf(1);

async function contextOf(world: World): Promise<ProvisionContext> {
  const instance = world.odoo.instance(1);
  return {
    instance: structuredClone(instance),
    plan: STARTER_PLAN,
    names: world.identity.namesOf(instance),
    container: await world.docker.findContainer(ACME.container),
    initialPassword: 'Customer-Pass-1',
    log: pino({ level: 'silent' }),
  };
}

/** the port calls a step makes */
async function callsOf(world: World, step: () => Promise<unknown>): Promise<string[]> {
  const before = world.log.calls.length;
  await step();
  return world.log.calls.slice(before);
}

describe('provisioning steps look before they act', () => {
  it('database: a database with our marker is left alone', async () => {
    const world = await worldWithInstance({}, true);
    const ctx = await contextOf(world);
    const template = world.templates.nameOf(STARTER_PLAN);
    expect(
      await callsOf(world, () =>
        ensureDatabase(world.provisioningDeps, ctx, { kind: 'template', template }),
      ),
    ).toEqual(['db.databaseMarker']);
  });

  it('database: a half-made clone (no marker) is dropped with its container and made again', async () => {
    const world = await worldWithInstance({}, true);
    world.odoo.instance(1).provisionedAt = undefined;
    world.db.get(ACME.db).marker = undefined;
    const ctx = await contextOf(world);
    const template = world.templates.nameOf(STARTER_PLAN, tenantLocaleOf(ctx.instance));
    const calls = await callsOf(world, () =>
      ensureDatabase(world.provisioningDeps, ctx, { kind: 'template', template }),
    );
    expect(calls).toEqual([
      'db.databaseMarker',
      'docker.removeContainer',
      'db.dropDatabase',
      'db.ensureRole',
      'db.cloneDatabase',
      'db.resetOdooIdentity',
      'filestore.cloneFrom',
      'db.setDatabaseMarker',
    ]);
    expect(ctx.container).toBeUndefined(); // the container step makes a new one, no second lookup
    expect(world.db.get(ACME.db).marker).toBe(`saas:instance:1 owner:${OWNER}`);
  });

  it('database: a disk full mid-copy leaves no database, role or data dir of the attempt behind', async () => {
    const world = await worldWithInstance({}, true);
    world.odoo.instance(1).provisionedAt = undefined;
    world.db.get(ACME.db).marker = undefined;
    const ctx = await contextOf(world);
    const template = world.templates.nameOf(STARTER_PLAN, tenantLocaleOf(ctx.instance));
    const copy = world.filestore.cloneFrom.bind(world.filestore);
    const full = new BridgeError('disk_full', 'no space left on device (ENOSPC) under /srv');
    // half the files copied, then the disk is full
    world.filestore.cloneFrom = async (from: string, db: string) => {
      await copy(from, db);
      throw full;
    };
    await expect(
      ensureDatabase(world.provisioningDeps, ctx, { kind: 'template', template }),
    ).rejects.toBe(full);
    expect(world.db.dbs.has(ACME.db)).toBe(false);
    expect(world.db.roles.has(ACME.db)).toBe(false);
    expect(await world.filestore.exists(ACME.db)).toBe(false);
  });

  it('database, naive path (TENANT_DB_SOURCE=fresh): an -i install of the plan into an empty database, no clone', async () => {
    const world = await worldWithInstance({}, true);
    world.odoo.instance(1).provisionedAt = undefined;
    world.db.get(ACME.db).marker = undefined;
    const ctx = await contextOf(world);
    const calls = await callsOf(world, () =>
      ensureDatabase(world.provisioningDeps, ctx, { kind: 'fresh' }),
    );
    expect(calls).toContain('db.createEmptyDatabase');
    expect(calls).not.toContain('db.cloneDatabase');
    expect(calls).not.toContain('filestore.cloneFrom');
    const install = world.docker.runs.at(-1);
    // the tenant's own role installs into its own database, with the plan's modules
    expect(install?.env).toContain(`USER=${ACME.db}`);
    expect(install?.cmd?.join(' ')).toContain(`--init=base,saas_tenant`);
    expect(install?.labels).toMatchObject({ 'saas.install': ACME.db });
    expect(install?.labels).not.toHaveProperty('saas.instance');
    expect(world.db.get(ACME.db).marker).toBe(`saas:instance:1 owner:${OWNER}`);
  });

  it('container: the one found at the start is started, not looked up or made again', async () => {
    const world = await worldWithInstance({}, true);
    await world.docker.stopContainer(ACME.container);
    const ctx = await contextOf(world);
    const calls = await callsOf(world, () => ensureContainer(world.provisioningDeps, ctx));
    expect(calls).toEqual(['docker.startContainer', 'tenant.waitReady']);
  });

  it('tenant set-up: only the limits once the instance ran (the tenant is the customer’s then)', async () => {
    const world = await worldWithInstance({}, true);
    const ctx = await contextOf(world);
    const tenant = await ensureContainer(world.provisioningDeps, ctx);
    expect(
      await callsOf(world, () =>
        ensureTenantSetup(world.provisioningDeps, ctx, tenant, 'ana@example.com'),
      ),
    ).toEqual(['odoo.listPlans', 'tenant.applyLimits']);
  });

  it('route: one call, carrying owner, instance and tenant ref', async () => {
    const world = await worldWithInstance({}, true);
    const ctx = await contextOf(world);
    const tenant = await ensureContainer(world.provisioningDeps, ctx);
    expect(await callsOf(world, () => ensureRoute(world.provisioningDeps, ctx, tenant))).toEqual([
      'proxy.routeToUpstream',
    ]);
  });

  it("clean-up removes nothing of another master's tenant under the same names", async () => {
    const world = await worldWithInstance({}, true);
    world.docker.containers.get(ACME.container)!.labels['saas.owner'] = 'other-master';
    world.db.get(ACME.db).marker = 'saas:instance:1 owner:other-master';
    const calls = await callsOf(world, () =>
      cleanUpFailed(world.provisioningDeps, world.odoo.instance(1)),
    );
    expect(calls).toEqual(['docker.findContainer', 'db.databaseMarker']);
  });
});

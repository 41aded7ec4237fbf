import { describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../../src/ports/odoo.port.js';
import { parseWarmSpares, sparesWanted } from '../../../src/services/warm-spares.js';
import { worldSpares } from '../../support/spares.js';
import {
  buildWorld,
  draftInstance,
  OWNER,
  STARTER_PLAN,
  worldWithInstance,
} from '../../support/world.js';

const PRO: PlanRecord = { ...STARTER_PLAN, id: 8, code: 'pro', name: 'Pro', price: 39 };

function spareContainers(world: ReturnType<typeof buildWorld>) {
  return [...world.docker.containers.values()].filter((c) => c.labels['saas.spare'] === '1');
}

/** a world with instance 1 (draft) and one ready spare of the starter plan */
async function worldWithSpare(overrides: Parameters<typeof draftInstance>[0] = {}) {
  const world = await worldWithInstance(overrides);
  const warm = worldSpares(world);
  await warm.spares.replenish(await world.odoo.listPlans());
  const [spare] = spareContainers(world);
  return { world, ...warm, spare: spare!, ref: spare!.labels['saas.tenant']! };
}

describe('WARM_SPARES', () => {
  it('reads cheapest, off and <plan>=<count>, refusing anything else with the reason', () => {
    expect(parseWarmSpares('')).toEqual({ setting: 'cheapest' });
    expect(parseWarmSpares('off')).toEqual({ setting: {} });
    expect(parseWarmSpares('basic=1 pro=2')).toEqual({ setting: { basic: 1, pro: 2 } });
    expect(parseWarmSpares('basic=99')).toHaveProperty('problem');
    expect(parseWarmSpares('basic')).toHaveProperty('problem');
  });

  it('keeps one spare for the cheapest plan by default, none for the others', () => {
    const plans = [PRO, { ...STARTER_PLAN, price: 10 }];
    expect(Object.fromEntries(sparesWanted(plans, 'cheapest'))).toEqual({ starter: 1, pro: 0 });
    expect(Object.fromEntries(sparesWanted(plans, { pro: 2 }))).toEqual({ starter: 0, pro: 2 });
  });
});

describe('SpareService.replenish', () => {
  it('makes a booted spare per plan as set, for nobody, and nothing more on a second pass', async () => {
    const world = buildWorld();
    world.odoo.addPlan(PRO);
    const { spares } = worldSpares(world, { starter: 1 });
    const report = await spares.replenish(await world.odoo.listPlans());
    expect(report.made).toHaveLength(1);
    const [spare] = spareContainers(world);
    const ref = spare!.labels['saas.tenant']!;
    expect(ref).toMatch(/^t[a-z2-7]{10}$/);
    expect(spare).toMatchObject({ name: `saas-tenant-${ref}`, status: 'running' });
    expect(spare!.labels).toMatchObject({
      'saas.owner': OWNER,
      'saas.plan': 'starter',
      'saas.template': world.templates.nameOf(STARTER_PLAN),
    });
    expect(spare!.labels['saas.instance']).toBeUndefined();
    const marker = `saas:spare:${ref} owner:${OWNER}`;
    expect(world.db.get(`tenant_${ref}`).marker).toBe(marker);
    expect(world.db.roleComments.get(`tenant_${ref}`)).toBe(marker);
    expect((await spares.replenish(await world.odoo.listPlans())).made).toEqual([]);
    expect(spareContainers(world)).toHaveLength(1);
  });

  it('replaces a spare whose template is no longer its plan’s', async () => {
    const { world, spares, spare, ref } = await worldWithSpare();
    const changed = { ...STARTER_PLAN, modules: ['sale', 'crm', 'project'] };
    world.odoo.addPlan(changed);
    const report = await spares.replenish(await world.odoo.listPlans());
    expect(report.removed).toEqual([spare.name]);
    expect(report.made).toHaveLength(1);
    expect(world.docker.containers.has(spare.name)).toBe(false);
    expect(world.db.dbs.has(`tenant_${ref}`)).toBe(false);
    expect(spareContainers(world).map((c) => c.labels['saas.template'])).toEqual([
      world.templates.nameOf(changed),
    ]);
  });

  it('keeps nothing of a spare that never booted, and sweeps one a crash left half-made', async () => {
    const world = buildWorld();
    const { spares } = worldSpares(world);
    world.log.failAlways('tenant.waitReady');
    await expect(spares.replenish(await world.odoo.listPlans())).rejects.toThrow();
    world.log.clearFailures();
    expect(spareContainers(world)).toEqual([]);
    expect([...world.db.dbs.keys()].filter((n) => n.startsWith('tenant_'))).toEqual([]);
    // a bridge killed mid-making: container and database, no marker yet
    await spares.replenish(await world.odoo.listPlans());
    const [half] = spareContainers(world);
    world.db.get(`tenant_${half!.labels['saas.tenant']}`).marker = undefined;
    const report = await spares.replenish(await world.odoo.listPlans());
    expect(report.removed).toEqual([half!.name]);
    expect(report.made).toHaveLength(1);
  });

  it('never removes a spare an instance holds, even before its marker was rewritten', async () => {
    const { world, spares, spare, ref } = await worldWithSpare();
    world.odoo.addPlan({ ...STARTER_PLAN, modules: ['sale', 'crm', 'project'] });
    const report = await spares.replenish(await world.odoo.listPlans(), new Set([ref]));
    expect(report.removed).toEqual([]);
    expect(world.docker.containers.has(spare.name)).toBe(true);
  });

  it('makes no spare the host has no room for; a running spare counts against the room', async () => {
    const { world } = await worldWithSpare();
    expect((await world.capacity.use()).memory.used).toBeGreaterThan(0);
    world.capacitySettings.memoryMb = 1;
    const { spares: more } = worldSpares(world, { starter: 2 });
    const report = await more.replenish(await world.odoo.listPlans());
    expect(report).toMatchObject({ made: [], short: ['starter'] });
  });
});

describe('provisioning with warm spares', () => {
  it('hands a ready spare to the order: set-up and route only, and asks for a new spare', async () => {
    const { world, provisioning, replenishRequests, spare, ref } = await worldWithSpare();
    const clonesBefore = world.log.count('db.cloneDatabase');
    expect(await provisioning.provision(1)).toBe('running');
    const instance = world.odoo.instance(1);
    expect(instance.tenantRef).toBe(ref);
    expect(world.log.count('db.cloneDatabase')).toBe(clonesBefore);
    expect(world.log.count('docker.createContainer')).toBe(1); // the spare's, made before the order
    expect(instance).toMatchObject({
      state: 'running',
      dbName: `tenant_${ref}`,
      containerRef: spare.name,
      directUrl: `http://${spare.ip}:8069`,
    });
    const marker = `saas:instance:1 owner:${OWNER}`;
    expect(world.db.get(`tenant_${ref}`).marker).toBe(marker);
    expect(world.db.roleComments.get(`tenant_${ref}`)).toBe(marker);
    // the customer's company and admin, through the bridge's key of the spare's ref
    expect(world.db.get(`tenant_${ref}`).data).toMatchObject({
      company: 'Acme SL',
      adminLogin: 'ana@example.com',
      adminPassword: instance.initialPassword,
    });
    expect(world.proxy.routes.get('acme.saas.example.com')).toMatchObject({
      upstream: `${spare.ip}:8069`,
      labels: { saas_instance: '1', saas_tenant: ref },
    });
    expect(world.welcomes).toEqual([1]);
    expect(replenishRequests).toEqual(['starter']);
    // a spare had no host: the taker's default From is in its config for the next start
    expect(world.filestore.configs.get(`tenant_${ref}`)).toContain(
      'email_from = notifications@acme.saas.example.com',
    );
    // a retry finds the taken spare its own, not another instance's
    expect(await provisioning.provision(1)).toBe('already-running');
  });

  it('gives one spare to one order: the next clones the template', async () => {
    const { world, provisioning, ref } = await worldWithSpare();
    world.odoo.addInstance(draftInstance({ id: 2, subdomain: 'beta' }));
    await Promise.all([provisioning.provision(1), provisioning.provision(2)]);
    const refs = [world.odoo.instance(1).tenantRef, world.odoo.instance(2).tenantRef];
    expect(refs.filter((r) => r === ref)).toHaveLength(1);
    expect(world.odoo.instance(1).state).toBe('running');
    expect(world.odoo.instance(2).state).toBe('running');
  });

  it('clones the template for a buyer whose locale has a template of its own', async () => {
    const { world, provisioning, ref } = await worldWithSpare({ countryCode: 'ES' });
    expect(await provisioning.provision(1)).toBe('running');
    expect(world.odoo.instance(1).tenantRef).not.toBe(ref);
    expect(spareContainers(world).map((c) => c.labels['saas.tenant'])).toEqual([ref]);
  });

  it('clones the template when the master refuses the spare’s ref, and the spare stays free', async () => {
    const { world, provisioning, spares, ref } = await worldWithSpare();
    const update = world.odoo.updateInstance.bind(world.odoo);
    world.odoo.updateInstance = async (id, patch, note) => {
      if (patch.tenant_ref) throw new Error('master refuses');
      return update(id, patch, note);
    };
    expect(await provisioning.provision(1)).toBe('running');
    expect(world.odoo.instance(1).tenantRef).not.toBe(ref);
    expect(world.locks.held.has(`spare:${ref}`)).toBe(false);
    world.odoo.addInstance(draftInstance({ id: 2, subdomain: 'beta' }));
    expect(
      await spares.claim(STARTER_PLAN, world.templates.nameOf(STARTER_PLAN), { id: 2 }),
    ).toMatchObject({ ref });
  });

  it('hands the spare over when the master took its ref but the answer was lost', async () => {
    const { world, provisioning, ref } = await worldWithSpare();
    const update = world.odoo.updateInstance.bind(world.odoo);
    world.odoo.updateInstance = async (id, patch, note) => {
      await update(id, patch, note);
      if (patch.tenant_ref) throw new Error('connection reset');
    };
    expect(await provisioning.provision(1)).toBe('running');
    expect(world.odoo.instance(1)).toMatchObject({ tenantRef: ref, dbName: `tenant_${ref}` });
    expect(world.db.dbs.has('tenant_tref0000001')).toBe(false);
  });

  it('adopts the taken spare on the retry after a crash between the master and the marker', async () => {
    const { world, provisioning, ref } = await worldWithSpare();
    world.log.failAlways('db.setRoleComment');
    await expect(provisioning.provision(1)).rejects.toThrow();
    expect(world.odoo.instance(1).tenantRef).toBe(ref);
    world.log.clearFailures();
    expect(await provisioning.provision(1)).toBe('running');
    expect(world.db.get(`tenant_${ref}`).marker).toBe(`saas:instance:1 owner:${OWNER}`);
  });
});

describe('the reconciler and warm spares', () => {
  it('knows a free spare (never an orphan, never stopped) and a taken one by its tenant label', async () => {
    const { world, provisioning, ref } = await worldWithSpare();
    const { spares } = worldSpares(world);
    world.odoo.addInstance(draftInstance({ id: 2, subdomain: 'beta', state: 'suspended' }));
    await provisioning.provision(1);
    await spares.replenish(await world.odoo.listPlans());
    const free = spareContainers(world).find((c) => c.labels['saas.tenant'] !== ref)!;
    await world.docker.stopContainer(`saas-tenant-${ref}`);
    const report = await world.reconcile.reconcile();
    expect(report.orphans).toEqual([]);
    expect(report.spares).toEqual([free.name]);
    expect(report.started).toEqual([`saas-tenant-${ref}`]);
    expect(report.stopped).toEqual([]);
    expect(world.docker.containers.get(free.name)?.status).toBe('running');
  });
});

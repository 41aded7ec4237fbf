import { describe, expect, it } from 'vitest';
import { namesOf, worldWithInstance } from '../../support/world.js';

const HOST = 'acme.saas.example.com';
const { container: NAME, db: DB } = namesOf(1);

async function suspendedWorld() {
  const world = await worldWithInstance({}, true);
  await world.lifecycle.suspend(1);
  return world;
}

describe('LifecycleService.suspend', () => {
  it('stops the container, shows the suspended page and records the state', async () => {
    const world = await worldWithInstance({}, true);
    expect(await world.lifecycle.suspend(1)).toBe('suspended');
    expect(world.docker.containers.get(NAME)?.status).toBe('exited');
    expect(world.proxy.routes.get(HOST)).toMatchObject({
      kind: 'suspended',
      renewUrl: 'https://master.example.com/my/instances/1/renew',
    });
    expect(world.odoo.instance(1)).toMatchObject({ state: 'suspended' });
    expect(world.odoo.instance(1).suspendedSince).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(world.odoo.notes.at(-1)?.body).toBe('Instance suspended: container stopped, data kept.');
    // data kept
    expect(world.docker.containers.has(NAME)).toBe(true);
    expect(world.db.dbs.has(DB)).toBe(true);
  });

  it('suspends an instance in error too', async () => {
    const world = await worldWithInstance({}, true);
    await world.odoo.updateInstance(1, { state: 'error' });
    expect(await world.lifecycle.suspend(1)).toBe('suspended');
  });

  it('does nothing for an instance already suspended or not running', async () => {
    const world = await suspendedWorld();
    const calls = world.log.calls.length;
    expect(await world.lifecycle.suspend(1)).toBe('already suspended');
    expect(world.log.calls.slice(calls)).toEqual(['odoo.getInstance']);
    for (const state of ['draft', 'provisioning', 'terminated'] as const) {
      const other = await worldWithInstance({ state });
      expect(await other.lifecycle.suspend(1)).toBe(`not suspended: instance is ${state}`);
      expect(other.odoo.patches).toEqual([]);
    }
  });
});

describe('LifecycleService.reactivate', () => {
  it('starts the container and routes the host to its new address', async () => {
    const world = await suspendedWorld();
    expect(await world.lifecycle.reactivate(1)).toBe('running');
    const container = world.docker.containers.get(NAME);
    expect(container?.status).toBe('running');
    expect(world.proxy.routes.get(HOST)).toMatchObject({
      kind: 'upstream',
      upstream: `${container?.ip}:8069`,
    });
    expect(world.odoo.instance(1)).toMatchObject({
      state: 'running',
      directUrl: `http://${container?.ip}:8069`,
      suspendedSince: undefined,
    });
    expect(world.odoo.notes.at(-1)?.body).toMatch(/^Instance reactivated in \d+\.\d s\.$/);
    expect(world.welcomes).toEqual([1]);
  });

  it('routes only once the tenant answers', async () => {
    const world = await suspendedWorld();
    world.log.failAlways('tenant.waitReady');
    await expect(world.lifecycle.reactivate(1)).rejects.toThrow('tenant.waitReady fails');
    expect(world.proxy.routes.get(HOST)?.kind).toBe('suspended');
    expect(world.odoo.instance(1).state).toBe('suspended');
  });

  it('rebuilds a container lost while suspended on the kept database', async () => {
    const world = await suspendedWorld();
    world.db.get(DB).data.invoices = '12';
    await world.docker.removeContainer(NAME);
    expect(await world.lifecycle.reactivate(1)).toBe('running');
    expect(world.docker.containers.get(NAME)?.status).toBe('running');
    expect(world.log.count('db.cloneDatabase')).toBe(1);
    expect(world.db.get(DB).data.invoices).toBe('12');
    expect(world.odoo.statesOf(1).slice(-2)).toEqual(['provisioning', 'running']);
    expect(world.welcomes).toEqual([1]);
  });

  it('does nothing for a running instance or one not suspended', async () => {
    const world = await worldWithInstance({}, true);
    expect(await world.lifecycle.reactivate(1)).toBe('already running');
    const draft = await worldWithInstance();
    expect(await draft.lifecycle.reactivate(1)).toBe('not reactivated: instance is draft');
    expect(draft.docker.containers.size).toBe(0);
  });
});

describe('LifecycleService.paid', () => {
  it('provisions a draft instance', async () => {
    const world = await worldWithInstance();
    expect(await world.lifecycle.paid(1)).toBe('running');
    expect(world.odoo.instance(1).state).toBe('running');
    expect(world.welcomes).toEqual([1]);
  });

  it('retries an instance in error', async () => {
    const world = await worldWithInstance({ state: 'error' });
    expect(await world.lifecycle.paid(1)).toBe('running');
  });

  it('brings a suspended instance back, writes the new expiry and mails "back"', async () => {
    const world = await suspendedWorld();
    await world.odoo.updateInstance(1, { expiration_date: '2030-03-31' });
    expect(await world.lifecycle.paid(1, { eventId: 'e2' })).toBe('running');
    expect(world.docker.containers.get(NAME)?.status).toBe('running');
    expect(world.proxy.routes.get(HOST)?.kind).toBe('upstream');
    expect(world.db.get(namesOf(1).db).data['saas_tenant.expiration_date']).toBe('2030-03-31');
    expect(world.stateMails.at(-1)).toEqual({
      key: 'reactivated-1-e2',
      instanceId: 1,
      kind: 'reactivated',
    });
  });

  it('renews a running instance: the new expiry into the tenant, then the "renewed" mail', async () => {
    const world = await worldWithInstance({}, true);
    await world.odoo.updateInstance(1, { expiration_date: '2030-02-28' }); // the master moved it
    expect(await world.lifecycle.paid(1, { eventId: 'e1' })).toBe('renewed');
    expect(world.db.get(namesOf(1).db).data['saas_tenant.expiration_date']).toBe('2030-02-28');
    expect(world.stateMails).toEqual([{ key: 'renewed-1-e1', instanceId: 1, kind: 'renewed' }]);
    expect(world.odoo.statesOf(1).at(-1)).toBe('running');
    const order = world.log.calls.filter((c) => /setExpiration|mails\.queue/.test(c));
    expect(order).toEqual(['tenant.setExpiration', 'mails.queue']);
  });

  it('mails nothing for the first payment of a new instance (its expiry did not move)', async () => {
    const world = await worldWithInstance({}, true);
    const db = namesOf(1).db;
    const expiry = world.odoo.instance(1).expirationDate;
    // what the tenant got at its set-up, and what the master still holds
    await world.db.setConfigParameter(db, 'saas_tenant.expiration_date', expiry ?? '2030-01-31');
    await world.odoo.updateInstance(1, { expiration_date: expiry ?? '2030-01-31' });
    expect(await world.lifecycle.paid(1, { eventId: 'first' })).toBe('paid: expiry unchanged');
    expect(world.stateMails).toEqual([]);
  });

  it('does nothing for a payment of a terminated instance', async () => {
    const world = await worldWithInstance({ state: 'terminated' });
    expect(await world.lifecycle.paid(1)).toBe('nothing to do (terminated)');
    expect(world.stateMails).toEqual([]);
  });

  it('refuses an unknown instance permanently', async () => {
    const world = await worldWithInstance();
    await expect(world.lifecycle.paid(5)).rejects.toMatchObject({
      code: 'instance_not_found',
      permanent: true,
    });
  });
});

describe('LifecycleService.terminate', () => {
  it('removes container and route and keeps the database for the final backup', async () => {
    const world = await worldWithInstance({}, true);
    expect(await world.lifecycle.terminate(1)).toBe('terminated');
    expect(world.docker.containers.has(NAME)).toBe(false);
    expect(world.proxy.routes.has(HOST)).toBe(false);
    expect(world.db.dbs.has(DB)).toBe(true);
    expect(world.filestore.dirs.has(DB)).toBe(true);
    expect(world.odoo.statesOf(1).slice(-2)).toEqual(['terminating', 'terminated']);
    expect(world.odoo.notes.at(-1)?.body).toBe(
      'Instance terminated: container and route removed; database tenant_tref0000001 kept.',
    );
    expect(await world.lifecycle.terminate(1)).toBe('already terminated');
  });

  it('finishes a termination interrupted half-way', async () => {
    const world = await worldWithInstance({}, true);
    world.log.failAlways('proxy.removeRoute');
    await expect(world.lifecycle.terminate(1)).rejects.toThrow();
    world.log.clearFailures();
    expect(await world.lifecycle.terminate(1)).toBe('terminated');
    expect(world.proxy.routes.has(HOST)).toBe(false);
  });
});

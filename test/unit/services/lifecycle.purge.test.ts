import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../../src/errors.js';
import { namesOf, worldWithInstance } from '../../support/world.js';

const HOST = 'acme.saas.example.com';
// instance 1's names come from its tenant ref, not from its subdomain
const NAME = namesOf(1).container;
const DB = namesOf(1).db;
const PURGE = { eventId: 'p1', purge: true };

async function suspendedWorld() {
  const world = await worldWithInstance({}, true);
  await world.lifecycle.suspend(1, { eventId: 's1' });
  return world;
}

function gone(world: Awaited<ReturnType<typeof suspendedWorld>>) {
  return {
    container: !world.docker.containers.has(NAME),
    route: !world.proxy.routes.has(HOST),
    database: !world.db.dbs.has(DB),
    role: !world.db.roles.has(DB),
    filestore: !world.filestore.dirs.has(DB),
  };
}

const ALL_GONE = { container: true, route: true, database: true, role: true, filestore: true };

describe('LifecycleService.terminate with purge', () => {
  it('makes the final backup first, then deletes everything, then marks it purged and mails', async () => {
    const world = await suspendedWorld();
    world.db.get(DB).data['crm.lead'] = 'kept in the backup';
    expect(await world.lifecycle.terminate(1, PURGE)).toBe('purged');
    expect(gone(world)).toEqual(ALL_GONE);
    expect(world.finalBackup.snapshots).toHaveLength(1);
    expect(world.finalBackup.snapshots[0]?.data['crm.lead']).toBe('kept in the backup');
    const instance = world.odoo.instance(1);
    expect(instance.state).toBe('terminated');
    expect(instance.purgedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const steps = world.log.calls.filter((c) =>
      /backup\.|removeContainer|removeRoute|dropDatabase|dropRole|filestore\.remove|updateInstance/.test(
        c,
      ),
    );
    expect(steps.slice(-8)).toEqual([
      'backup.finalBackup',
      'odoo.updateInstance', // terminating
      'docker.removeContainer',
      'proxy.removeRoute',
      'db.dropDatabase',
      'db.dropRole',
      'filestore.remove',
      'odoo.updateInstance', // terminated + purged_at, last
    ]);
    expect(world.odoo.notes.map((n) => n.body)).toContain('Final backup made: snapshot final-1-1.');
    expect(world.stateMails.at(-1)).toEqual({
      key: 'deleted-1-p1',
      instanceId: 1,
      kind: 'deleted',
    });
  });

  it('deletes nothing and changes no state when the final backup fails', async () => {
    const world = await suspendedWorld();
    world.finalBackup.failWith = new BridgeError('backups_not_configured', 'not configured', true);
    await expect(world.lifecycle.terminate(1, PURGE)).rejects.toMatchObject({
      code: 'backups_not_configured',
    });
    expect(gone(world)).toEqual({
      ...ALL_GONE,
      container: false,
      route: false,
      database: false,
      role: false,
      filestore: false,
    });
    expect(world.odoo.instance(1).state).toBe('suspended');
    expect(world.stateMails.map((m) => m.kind)).toEqual(['suspended']);
  });

  it('goes on where it stopped when run again, without a second backup', async () => {
    const world = await suspendedWorld();
    world.log.failAlways('db.dropRole');
    await expect(world.lifecycle.terminate(1, PURGE)).rejects.toThrow();
    expect(world.odoo.instance(1)).toMatchObject({ state: 'terminating', purgedAt: undefined });
    world.log.clearFailures();
    expect(await world.lifecycle.terminate(1, PURGE)).toBe('purged');
    expect(gone(world)).toEqual(ALL_GONE);
    expect(world.finalBackup.snapshots).toHaveLength(1);
    expect(await world.lifecycle.terminate(1, PURGE)).toBe('already purged');
  });

  it('purges an instance terminated earlier without purge (its data was kept)', async () => {
    const world = await worldWithInstance({}, true);
    await world.lifecycle.terminate(1, { eventId: 't1' });
    expect(world.db.dbs.has(DB)).toBe(true);
    expect(await world.lifecycle.terminate(1, PURGE)).toBe('purged');
    expect(gone(world)).toEqual(ALL_GONE);
    expect(world.finalBackup.snapshots).toHaveLength(1);
  });

  it('keeps the purge when its mail cannot be queued', async () => {
    const world = await suspendedWorld();
    world.log.failAlways('mails.queue');
    expect(await world.lifecycle.terminate(1, PURGE)).toBe('purged');
    expect(world.odoo.instance(1).state).toBe('terminated');
  });
});

describe('LifecycleService mails after a state change', () => {
  it('queues "suspended" with the pay link once the state is written', async () => {
    const world = await worldWithInstance({}, true);
    const invoiceId = 31;
    expect(await world.lifecycle.suspend(1, { eventId: 's1', invoiceId })).toBe('suspended');
    expect(world.stateMails).toEqual([
      { key: 'suspended-1-s1', instanceId: 1, kind: 'suspended', invoiceId },
    ]);
    const order = world.log.calls.filter((c) => /updateInstance|mails\.queue/.test(c));
    expect(order.slice(-2)).toEqual(['odoo.updateInstance', 'mails.queue']);
    // resent: nothing changes, nothing more is mailed
    expect(await world.lifecycle.suspend(1, { eventId: 's1', invoiceId })).toBe(
      'already suspended',
    );
    expect(world.stateMails).toHaveLength(1);
  });

  it('keeps the suspension when the mail cannot be queued', async () => {
    const world = await worldWithInstance({}, true);
    world.log.failAlways('mails.queue');
    expect(await world.lifecycle.suspend(1, { eventId: 's1' })).toBe('suspended');
    expect(world.odoo.instance(1).state).toBe('suspended');
  });

  it('records a failed renewal of a running instance without putting it in error', async () => {
    const world = await worldWithInstance({}, true);
    await world.lifecycle.paidFailed(1, new Error('tenant database unreachable'));
    expect(world.odoo.instance(1)).toMatchObject({
      state: 'running',
      lastError: 'tenant database unreachable',
    });
  });
});

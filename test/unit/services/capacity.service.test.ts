import { describe, expect, it } from 'vitest';
import { draftInstance, STARTER_PLAN, worldWithInstance, type World } from '../../support/world.js';

/** n tenants of the Starter plan running on the (fake) engine, as another master's would be */
async function runningTenants(world: World, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    const name = `saas-tenant-other${i}`;
    await world.docker.createContainer({
      name,
      image: 'odoo:17',
      cmd: [],
      labels: { 'saas.managed': 'true', 'saas.plan': STARTER_PLAN.code, 'saas.owner': 'other' },
      memoryMb: 1024,
      cpus: 1,
      binds: [],
      network: 'saas_tenants',
      restart: 'unless-stopped',
    });
    await world.docker.startContainer(name);
  }
}

describe('CapacityService', () => {
  it('counts running tenants by their expected footprint, not their memory ceiling', async () => {
    const world = await worldWithInstance();
    world.odoo.addPlan({ ...STARTER_PLAN, expectedMemoryMb: 150 });
    await runningTenants(world, 10);
    const use = await world.capacity.use();
    // ten tenants of 1024 MiB ceilings, 150 MiB expected each
    expect(use.memory.used).toBe(1500);
    expect(use.cpu.used).toBe(10);
    expect(use.connections).toMatchObject({ used: 10, capacity: 500 - 3 - 20 });
  });

  it('refuses a tenant when memory, CPU or connections lack room, naming each', async () => {
    const world = await worldWithInstance();
    world.capacitySettings.memoryMb = 1000;
    world.db.stats = { maxConnections: 100, reserved: 3, inUse: 75 };
    await runningTenants(world, 6);
    const verdict = await world.capacity.check(STARTER_PLAN);
    expect(verdict.fits).toBe(false);
    expect(verdict.reasons).toEqual([
      'memory: 900 of 1000 MiB planned, a Starter tenant needs 150 more',
      'connections: 75 of 77 connections planned, a Starter tenant needs 8 more',
    ]);
  });

  it('refuses when the tenant data disk is short of its reserve, and applies overcommit', async () => {
    const world = await worldWithInstance();
    world.host.freeDiskMb = 900; // below the 1024 MiB kept free
    expect((await world.capacity.check(STARTER_PLAN)).reasons).toEqual([
      'disk: less than the 1024 MiB kept free are left for tenant data',
    ]);
    world.host.freeDiskMb = 100_000;
    world.capacitySettings.memoryMb = 200;
    expect((await world.capacity.check(STARTER_PLAN)).fits).toBe(true);
    await runningTenants(world, 1);
    expect((await world.capacity.check(STARTER_PLAN)).fits).toBe(false);
    world.capacitySettings.memoryOvercommit = 2;
    expect((await world.capacity.check(STARTER_PLAN)).fits).toBe(true);
  });
});

describe('provisioning on a full host', () => {
  it('waits in waiting_capacity with the reason, creating nothing', async () => {
    const world = await worldWithInstance();
    world.capacitySettings.memoryMb = 100;
    expect(await world.provisioning.provision(1)).toBe('waiting');
    const instance = world.odoo.instances.get(1);
    expect(instance?.state).toBe('waiting_capacity');
    expect(world.odoo.patches.at(-1)?.patch.capacity_reason).toMatch(/^memory: 0 of 100 MiB/);
    expect(world.docker.containers.size).toBe(0);
    expect(world.db.dbs.size).toBe(0);
  });

  it('the capacity pass lets the waiting instance go once room appears, oldest first', async () => {
    const world = await worldWithInstance();
    world.odoo.addInstance(draftInstance({ id: 2, subdomain: 'beta', tenantRef: 'tref0000002' }));
    world.capacitySettings.memoryMb = 100;
    await world.provisioning.provision(1);
    await world.provisioning.provision(2);
    expect(await world.capacityWatch.pass()).toMatchObject({ waiting: 2, resumed: [] });
    world.capacitySettings.memoryMb = 200; // room for one Starter tenant (150 MiB), not two
    expect(await world.capacityWatch.pass()).toMatchObject({ waiting: 2, resumed: [1] });
    expect(world.provisionRequests).toEqual([1]);
    expect(await world.provisioning.provision(1)).toBe('running');
    expect(world.odoo.instances.get(1)?.state).toBe('running');
  });

  it('mails the admins once when a resource passes the alert share, again only after it fell back', async () => {
    const world = await worldWithInstance();
    world.db.stats = { maxConnections: 100, reserved: 3, inUse: 70 }; // 70 of 77: 91 %
    expect((await world.capacityWatch.pass()).alerts).toEqual(['connections']);
    await world.capacityWatch.pass();
    expect(world.capacityMails.sent.map((m) => m.subject)).toEqual([
      'SaaS host capacity: connections 91 %',
    ]);
    expect(world.capacityMails.sent[0]?.to).toBe('ops@saas.example.com');
    world.db.stats.inUse = 10;
    expect((await world.capacityWatch.pass()).alerts).toEqual([]);
    world.db.stats.inUse = 70;
    await world.capacityWatch.pass();
    expect(world.capacityMails.sent).toHaveLength(2);
  });
});

import { describe, expect, it } from 'vitest';
import {
  draftInstance,
  namesOf,
  refOf,
  STARTER_PLAN,
  worldWithInstance,
} from '../../support/world.js';

const HOST = 'acme.saas.example.com';
const NAME = namesOf(1).container;

describe('ReconcileService.reconcile', () => {
  it('leaves a healthy world as it is, re-pointing routes', async () => {
    const world = await worldWithInstance({}, true);
    const report = await world.reconcile.reconcile();
    expect(report).toEqual({
      started: [],
      stopped: [],
      rerouted: [NAME],
      provisionRequested: [],
      orphans: [],
      limitsApplied: [],
      mailRelayAdded: [],
    });
    expect(world.proxy.routes.get(HOST)).toMatchObject({
      kind: 'upstream',
      upstream: `${world.docker.containers.get(NAME)?.ip}:8069`,
    });
  });

  it("re-applies the plan's limits: changed in the master, or forced by hand in the tenant", async () => {
    const world = await worldWithInstance({}, true);
    const data = world.db.dbs.get(namesOf(1).db)!.data;
    data['saas_tenant.max_users'] = '0'; // the customer found a way around
    world.odoo.addPlan({ ...STARTER_PLAN, storageMb: 4096 }); // the admin raised the quota
    const report = await world.reconcile.reconcile();
    expect(report.limitsApplied).toEqual([1]);
    expect(data['saas_tenant.max_users']).toBe('3');
    expect(data['saas_tenant.storage_mb']).toBe('4096');
    // nothing to change: nothing written (the tenant keeps its caches)
    expect((await world.reconcile.reconcile()).limitsApplied).toEqual([]);
  });

  it('re-applies limits without starting a stopped tenant for it', async () => {
    const world = await worldWithInstance({}, true);
    await world.odoo.updateInstance(1, { state: 'suspended' });
    await world.docker.stopContainer(NAME);
    world.odoo.addPlan({ ...STARTER_PLAN, maxUsers: 9 });
    const report = await world.reconcile.reconcile();
    expect(report.started).toEqual([]);
    expect(report.limitsApplied).toEqual([]); // only running instances; a reactivation re-applies
    expect(world.docker.containers.get(NAME)?.status).toBe('exited');
  });

  it('a tenant whose limits cannot be written does not stop the pass', async () => {
    const world = await worldWithInstance({}, true);
    world.odoo.addPlan({ ...STARTER_PLAN, maxUsers: 9 });
    world.log.failAlways('tenant.applyLimits');
    const report = await world.reconcile.reconcile();
    expect(report.rerouted).toEqual([NAME]);
    expect(report.limitsApplied).toEqual([]);
    world.log.clearFailures();
    expect((await world.reconcile.reconcile()).limitsApplied).toEqual([1]);
  });

  it('requests provisioning for a running instance without a container', async () => {
    const world = await worldWithInstance({}, true);
    await world.docker.removeContainer(NAME);
    const report = await world.reconcile.reconcile();
    expect(report.provisionRequested).toEqual([1]);
    expect(world.provisionRequests).toEqual([1]);
    expect(world.docker.containers.size).toBe(0); // the provisioning job does the work
  });

  it('writes the node and address of a tenant Swarm moved, once', async () => {
    const world = await worldWithInstance({}, true);
    const container = world.docker.containers.get(NAME)!;
    await world.odoo.updateInstance(1, { node_name: 'node-1' });
    container.node = 'node-1';
    expect((await world.reconcile.reconcile()).moved).toBeUndefined();
    // the node died: Swarm started the task on another, at another address
    container.node = 'node-2';
    container.ip = '10.232.16.99';
    const report = await world.reconcile.reconcile();
    expect(report.moved).toEqual([NAME]);
    expect(world.odoo.instance(1)).toMatchObject({
      node: 'node-2',
      directUrl: 'http://10.232.16.99:8069',
    });
    expect(world.proxy.routes.get(HOST)).toMatchObject({ upstream: '10.232.16.99:8069' });
    expect((await world.reconcile.reconcile()).moved).toBeUndefined();
  });

  it('starts an exited container of a running instance and routes to its new address', async () => {
    const world = await worldWithInstance({}, true);
    const oldIp = world.docker.containers.get(NAME)?.ip;
    await world.docker.stopContainer(NAME);
    const report = await world.reconcile.reconcile();
    expect(report.started).toEqual([NAME]);
    expect(report.rerouted).toEqual([NAME]);
    const container = world.docker.containers.get(NAME);
    expect(container?.status).toBe('running');
    expect(container?.ip).not.toBe(oldIp);
    expect(world.proxy.routes.get(HOST)).toMatchObject({
      kind: 'upstream',
      upstream: `${container?.ip}:8069`,
    });
  });

  it.each(['suspended', 'terminating', 'terminated'] as const)(
    'stops the running container of a %s instance',
    async (state) => {
      const world = await worldWithInstance({}, true);
      await world.odoo.updateInstance(1, { state });
      const report = await world.reconcile.reconcile();
      expect(report.stopped).toEqual([NAME]);
      expect(world.docker.containers.get(NAME)?.status).toBe('exited');
      expect(world.docker.containers.has(NAME)).toBe(true);
    },
  );

  it('reports containers without an instance and removes nothing', async () => {
    const world = await worldWithInstance({}, true);
    const orphan = world.docker.containers.get(NAME)?.spec;
    await world.docker.seed({
      ...orphan!,
      name: 'saas-tenant-ghost',
      labels: { ...orphan!.labels, 'saas.instance': '99' },
    });
    await world.docker.seed({
      ...orphan!,
      name: 'saas-template-x',
      labels: { 'saas.managed': 'true' },
    });
    const calls = world.log.calls.length;
    const report = await world.reconcile.reconcile();
    expect(report.orphans).toEqual(['saas-tenant-ghost']);
    expect(world.docker.containers.get('saas-tenant-ghost')?.status).toBe('running');
    const made = world.log.calls.slice(calls);
    expect(made).not.toContain('docker.removeContainer');
    expect(made).not.toContain('docker.stopContainer');
  });

  it('asks again for an instance left in provisioning (its job may be lost); the job is idempotent', async () => {
    const world = await worldWithInstance({ state: 'provisioning' });
    const report = await world.reconcile.reconcile();
    expect(report.provisionRequested).toEqual([1]);
    expect(world.docker.containers.size).toBe(0);
  });

  it('leaves draft and failed instances alone', async () => {
    for (const state of ['draft', 'error'] as const) {
      const world = await worldWithInstance({ state });
      const report = await world.reconcile.reconcile();
      expect(report).toEqual({
        started: [],
        stopped: [],
        rerouted: [],
        provisionRequested: [],
        orphans: [],
        limitsApplied: [],
        mailRelayAdded: [],
      });
    }
  });

  it('goes on with the other instances when one fails', async () => {
    const world = await worldWithInstance({}, true);
    world.odoo.addInstance(draftInstance({ id: 2, subdomain: 'beta' }));
    await world.provisioning.provision(2);
    await world.docker.stopContainer(NAME);
    await world.docker.stopContainer(namesOf(2).container);
    world.log.crashAt(world.log.calls.length + 2); // the first start (odoo.listInstances, docker.listContainers, then start)
    const report = await world.reconcile.reconcile();
    expect(report.started).toEqual([namesOf(2).container]);
    expect(world.docker.containers.get(namesOf(2).container)?.status).toBe('running');
  });

  it('records how many instances are in each state', async () => {
    const world = await worldWithInstance({}, true);
    world.odoo.addInstance({
      ...world.odoo.instance(1),
      id: 2,
      tenantRef: refOf(2),
      subdomain: 'beta',
      state: 'suspended',
    });
    await world.reconcile.reconcile();
    expect(world.stateCounts).toEqual([
      {
        draft: 0,
        provisioning: 0,
        running: 1,
        suspended: 1,
        terminating: 0,
        terminated: 0,
        error: 0,
        waiting_capacity: 0,
      },
    ]);
  });

  it('does not stop the new tenant of a subdomain re-sold after a termination (issue 13, item 2)', async () => {
    const world = await worldWithInstance({}, true);
    await world.lifecycle.terminate(1);
    // the subdomain is sold again: a new instance with its own ref
    world.odoo.addInstance(draftInstance({ id: 2, subdomain: 'acme' }));
    await world.provisioning.provision(2);
    const calls = world.log.calls.length;
    const report = await world.reconcile.reconcile();
    expect(report.stopped).toEqual([]);
    expect(world.log.calls.slice(calls)).not.toContain('docker.stopContainer');
    expect(world.docker.containers.get(namesOf(2).container)?.status).toBe('running');
    expect(world.proxy.routes.get(HOST)).toMatchObject({
      kind: 'upstream',
      upstream: `${world.docker.containers.get(namesOf(2).container)?.ip}:8069`,
      labels: { saas_instance: '2' },
    });
  });

  it("neither sees nor touches another master's tenants on the same engine", async () => {
    const world = await worldWithInstance({}, true);
    const spec = world.docker.containers.get(NAME)!.spec;
    // another stack's instance 1 (and a "suspended" one that must not be stopped by us)
    await world.docker.seed({
      ...spec,
      name: 'saas-tenant-other1',
      labels: { ...spec.labels, 'saas.owner': 'other-master', 'saas.instance': '1' },
    });
    await world.docker.seed({
      ...spec,
      name: 'saas-tenant-other9',
      labels: { ...spec.labels, 'saas.owner': 'other-master', 'saas.instance': '9' },
    });
    await world.odoo.updateInstance(1, { state: 'suspended' });
    const report = await world.reconcile.reconcile();
    expect(report).toMatchObject({ stopped: [NAME], orphans: [] });
    expect(world.docker.containers.get('saas-tenant-other1')?.status).toBe('running');
    expect(world.docker.containers.get('saas-tenant-other9')?.status).toBe('running');
  });

  it('still manages a container made before owners existed (no owner label, its own name)', async () => {
    const world = await worldWithInstance({}, true);
    delete world.docker.containers.get(NAME)!.labels['saas.owner'];
    await world.docker.stopContainer(NAME);
    const report = await world.reconcile.reconcile();
    expect(report.started).toEqual([NAME]);
    expect(report.provisionRequested).toEqual([]);
  });
});

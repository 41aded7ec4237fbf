import { describe, expect, it } from 'vitest';
import type { NodeUse } from '../../../src/ports/docker.port.js';
import { CapacityService, NODE_RESERVE_MB } from '../../../src/services/capacity.service.js';
import { STARTER_PLAN, worldWithInstance, type World } from '../../support/world.js';

const MiB = 1024 * 1024;

function node(name: string, totalMb: number, reservedMb: number, extra: Partial<NodeUse> = {}) {
  return {
    name,
    ready: true,
    takesTenants: true,
    memoryBytes: totalMb * MiB,
    reservedMemoryBytes: reservedMb * MiB,
    cpus: 2,
    tenants: 0,
    ...extra,
  } satisfies NodeUse;
}

/** the world's capacity check, in Swarm mode over the given nodes */
function swarmCapacity(world: World, nodes: NodeUse[]): CapacityService {
  return new CapacityService({
    db: world.db,
    docker: world.docker,
    plans: () => world.odoo.listPlans(),
    freeDiskMb: async () => world.host.freeDiskMb,
    nodes: async () => nodes,
    settings: world.capacitySettings,
  });
}

/** a Starter tenant running on the named node */
async function tenantOn(world: World, name: string, nodeName: string): Promise<void> {
  await world.docker.createContainer({
    name,
    image: 'odoo:17',
    cmd: [],
    labels: { 'saas.managed': 'true', 'saas.plan': STARTER_PLAN.code },
    memoryMb: 1024,
    cpus: 1,
    binds: [],
    network: 'saas_tenants',
    restart: 'unless-stopped',
  });
  await world.docker.moveTo(name, nodeName);
}

describe('CapacityService in Swarm mode', () => {
  it('counts memory per node by its reservations and refuses when no one node has room', async () => {
    const world = await worldWithInstance();
    world.odoo.addPlan({ ...STARTER_PLAN, expectedMemoryMb: 150 });
    // 2048 MiB nodes plan 1536 MiB each; 1400 reserved leaves 136 free on each: 272 in all
    const capacity = swarmCapacity(world, [node('w1', 2048, 1400), node('w2', 2048, 1400)]);
    const use = await capacity.use();
    expect(use.memory).toEqual({ used: 2800, capacity: 2 * (2048 - NODE_RESERVE_MB), unit: 'MiB' });
    const verdict = await capacity.check({ ...STARTER_PLAN, expectedMemoryMb: 150 });
    expect(verdict.fits).toBe(false);
    expect(verdict.reasons).toEqual([
      'nodes: no Swarm node has 150 MiB and 1 core free for a Starter tenant (most free: w1 136 MiB and 20 cores, w2 136 MiB and 20 cores)',
    ]);
    // the host's own memory setting is not what counts in Swarm mode
    expect(world.capacitySettings.memoryMb).toBe(16_384);
  });

  it('fits on the node with room, and reports each node', async () => {
    const world = await worldWithInstance();
    const capacity = swarmCapacity(world, [node('w1', 2048, 1400), node('w2', 4096, 300)]);
    const verdict = await capacity.check({ ...STARTER_PLAN, expectedMemoryMb: 150 });
    expect(verdict.fits).toBe(true);
    expect(verdict.nodes?.map((n) => [n.name, n.memory.capacity - n.memory.used])).toEqual([
      ['w1', 136],
      ['w2', 4096 - NODE_RESERVE_MB - 300],
    ]);
  });

  it('counts CPU per node from the plans of the tenants running there', async () => {
    const world = await worldWithInstance();
    world.capacitySettings.cpuOvercommit = 1; // 2 cores a node
    await tenantOn(world, 'saas-tenant-a', 'w1');
    await tenantOn(world, 'saas-tenant-b', 'w1');
    await tenantOn(world, 'saas-tenant-c', 'w2');
    const capacity = swarmCapacity(world, [node('w1', 8192, 0), node('w2', 8192, 0)]);
    const verdict = await capacity.check(STARTER_PLAN);
    expect(verdict.nodes?.map((n) => [n.name, n.cpu.used])).toEqual([
      ['w1', 2],
      ['w2', 1],
    ]);
    expect(verdict.fits).toBe(true); // w2 has a core left
    await tenantOn(world, 'saas-tenant-d', 'w2');
    expect((await capacity.check(STARTER_PLAN)).reasons[0]).toMatch(
      /^nodes: no Swarm node has 150 MiB and 1 core free/,
    );
  });

  it('leaves out nodes that are down or take no tenants, and says so when none is left', async () => {
    const world = await worldWithInstance();
    const capacity = swarmCapacity(world, [
      node('manager', 8192, 0, { takesTenants: false }),
      node('w1', 8192, 0, { ready: false }),
    ]);
    const verdict = await capacity.check(STARTER_PLAN);
    expect(verdict.nodes).toEqual([]);
    expect(verdict.reasons[0]).toBe('nodes: no Swarm node is ready and takes tenants');
    expect((await capacity.use()).memory.capacity).toBe(0);
  });

  it('never plans past a node memory, however high the overcommit', async () => {
    const world = await worldWithInstance();
    world.capacitySettings.memoryOvercommit = 4;
    const capacity = swarmCapacity(world, [node('w1', 2048, 0)]);
    expect((await capacity.use()).memory.capacity).toBe(2048);
  });
});

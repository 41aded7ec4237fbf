import type { DatabasePort } from '../ports/database.port.js';
import type { ContainerInfo, DockerPort, NodeUse } from '../ports/docker.port.js';
import type { PlanRecord } from '../ports/odoo.port.js';
import { MANAGED_LABEL } from './tenant-runtime.js';
import { tenantSizing } from './tenant-sizing.js';

export type Resource = 'memory' | 'cpu' | 'connections' | 'disk';

/** One resource of the host: what is committed (or used), out of what may be. */
export interface ResourceUse {
  used: number;
  capacity: number;
  unit: string;
}

export interface CapacitySettings {
  /** memory tenants may be planned into, MiB (host memory minus what the master, PostgreSQL and the OS keep) */
  memoryMb: number;
  memoryOvercommit: number;
  /** cores of the host; CPU limits are ceilings, so they are overcommitted far more than memory */
  cpus: number;
  cpuOvercommit: number;
  /** connections kept free for the master, the bridge, backups and psql */
  spareConnections: number;
  /** free space the tenant data dir's file system must keep, MiB */
  minFreeDiskMb: number;
  /** expected footprint of a tenant whose plan names none (or is unknown), MiB */
  defaultFootprintMb: number;
  /** above this share of any resource an alert goes out */
  alertPercent: number;
}

export interface CapacityDeps {
  db: DatabasePort;
  docker: DockerPort;
  /** plans by code: the footprint and CPU of the tenants already running */
  plans(): Promise<PlanRecord[]>;
  /** free MiB of the file system holding the tenant data dirs */
  freeDiskMb(): Promise<number>;
  /** Swarm (DOCKER_MODE=swarm): the nodes, whose room replaces this host's for memory and CPU */
  nodes?: () => Promise<NodeUse[]>;
  settings: CapacitySettings;
}

/** one Swarm node's room for tenants: memory as the scheduler reserves it, CPU by plan */
export interface NodeRoom {
  name: string;
  memory: ResourceUse;
  cpu: ResourceUse;
}

/** what a worker's OS and dockerd keep of its memory: not planned into tenants */
export const NODE_RESERVE_MB = 512;

export interface CapacityVerdict {
  fits: boolean;
  /** one sentence per resource that is short, for the instance and the admins */
  reasons: string[];
  use: Record<Resource, ResourceUse>;
  /** Swarm: each node that is ready and takes tenants, with its room */
  nodes?: NodeRoom[];
}

/**
 * Whether one more tenant fits on this host, counted as capacity planning does (docs/capacity.md):
 * memory and CPU by each running tenant's plan (its expected footprint, not its ceiling), times the
 * overcommit of each; PostgreSQL connections as in use now plus the new tenant's role limit; free disk.
 * Every tenant container on the engine counts, whichever master owns it: they share the host. In
 * Swarm mode memory and CPU are counted per node instead (NodeRoom), and a tenant fits only where
 * one node has room for it.
 */
export class CapacityService {
  constructor(private readonly deps: CapacityDeps) {}

  async use(): Promise<Record<Resource, ResourceUse>> {
    return (await this.read()).use;
  }

  /**
   * Swarm: each node that is ready and takes tenants. Memory is what the scheduler counts (the
   * reservations of the tenant tasks meant to run there, out of the node's memory less
   * NODE_RESERVE_MB, times the overcommit but never past the node's memory, where Swarm stops
   * placing); CPU is the plans' limits of the tenants on it, as on one host.
   */
  private rooms(
    nodes: NodeUse[],
    containers: ContainerInfo[],
    cpuOf: (c: ContainerInfo) => number,
  ): NodeRoom[] {
    const { settings } = this.deps;
    return nodes
      .filter((n) => n.ready && n.takesTenants)
      .map((n) => {
        const nodeMb = Math.floor(n.memoryBytes / 1024 / 1024);
        const cpu = containers
          .filter((c) => c.node === n.name && isRunning(c))
          .reduce((sum, c) => sum + cpuOf(c), 0);
        return {
          name: n.name,
          memory: {
            used: Math.ceil(n.reservedMemoryBytes / 1024 / 1024),
            capacity: Math.min(
              Math.floor(Math.max(nodeMb - NODE_RESERVE_MB, 0) * settings.memoryOvercommit),
              nodeMb,
            ),
            unit: 'MiB',
          },
          cpu: { used: cpu, capacity: n.cpus * settings.cpuOvercommit, unit: 'cores' },
        };
      });
  }

  private async read(): Promise<{ use: Record<Resource, ResourceUse>; rooms?: NodeRoom[] }> {
    const { settings } = this.deps;
    const [containers, plans, stats, freeDisk, nodes] = await Promise.all([
      this.deps.docker.listContainers(MANAGED_LABEL),
      this.deps.plans(),
      this.deps.db.connectionStats(),
      this.deps.freeDiskMb(),
      this.deps.nodes?.(),
    ]);
    const byCode = new Map(plans.map((p) => [p.code, p]));
    const planOf = (c: ContainerInfo) => byCode.get(c.labels['saas.plan'] ?? '');
    const cpuOf = (c: ContainerInfo) => planOf(c)?.cpuLimit ?? 1;
    let memory: ResourceUse;
    let cpu: ResourceUse;
    let rooms: NodeRoom[] | undefined;
    if (nodes) {
      rooms = this.rooms(nodes, containers, cpuOf);
      memory = sumOf(rooms, 'memory', 'MiB');
      cpu = sumOf(rooms, 'cpu', 'cores');
    } else {
      let memoryUsed = 0;
      let cpuUsed = 0;
      // a one-shot template build or a stopped tenant takes nothing lasting
      for (const c of containers.filter(isRunning)) {
        memoryUsed += planOf(c)?.expectedMemoryMb ?? settings.defaultFootprintMb;
        cpuUsed += cpuOf(c);
      }
      memory = {
        used: memoryUsed,
        capacity: Math.floor(settings.memoryMb * settings.memoryOvercommit),
        unit: 'MiB',
      };
      cpu = { used: cpuUsed, capacity: settings.cpus * settings.cpuOvercommit, unit: 'cores' };
    }
    const use = {
      memory,
      cpu,
      connections: {
        used: stats.inUse,
        capacity: stats.maxConnections - stats.reserved - settings.spareConnections,
        unit: 'connections',
      },
      disk: {
        used: 0,
        capacity: Math.max(freeDisk - settings.minFreeDiskMb, 0),
        unit: 'MiB free',
      },
    };
    return rooms ? { use, rooms } : { use };
  }

  /** what one more tenant of `plan` takes of each resource */
  needOf(plan: PlanRecord): Record<Resource, number> {
    return {
      memory: plan.expectedMemoryMb ?? this.deps.settings.defaultFootprintMb,
      cpu: plan.cpuLimit,
      // while it boots a tenant may open its role's whole limit
      connections: tenantSizing(plan).connectionLimit,
      // a fresh clone is small; a tenant's storage quota is a ceiling, watched by the usage job
      disk: 0,
    };
  }

  /** Does one more tenant of `plan` fit now, on top of `extra` (tenants let go, not running yet)? */
  async check(
    plan: PlanRecord,
    extra: Partial<Record<Resource, number>> = {},
  ): Promise<CapacityVerdict> {
    const { use, rooms } = await this.read();
    const need = this.needOf(plan);
    const reasons: string[] = [];
    if (rooms) {
      const reason = placementReason(rooms, need, plan.name);
      if (reason) reasons.push(reason);
    }
    for (const resource of ['memory', 'cpu', 'connections'] as const) {
      const { capacity, unit } = use[resource];
      const used = use[resource].used + (extra[resource] ?? 0);
      if (used + need[resource] > capacity)
        reasons.push(
          `${resource}: ${fmt(used)} of ${fmt(capacity)} ${unit} planned, a ${plan.name} tenant needs ${fmt(need[resource])} more`,
        );
    }
    if (use.disk.capacity <= 0)
      reasons.push(
        `disk: less than the ${this.deps.settings.minFreeDiskMb} MiB kept free are left for tenant data`,
      );
    const verdict: CapacityVerdict = { fits: reasons.length === 0, reasons, use };
    if (rooms) verdict.nodes = rooms;
    return verdict;
  }

  /** resources above the alert share, with their percentage */
  overAlert(use: Record<Resource, ResourceUse>): { resource: Resource; percent: number }[] {
    const out: { resource: Resource; percent: number }[] = [];
    for (const resource of ['memory', 'cpu', 'connections'] as const) {
      const percent = percentOf(use[resource]);
      if (percent > this.deps.settings.alertPercent) out.push({ resource, percent });
    }
    return out;
  }
}

function isRunning(c: ContainerInfo): boolean {
  return c.status === 'running' || c.status === 'restarting';
}

function sumOf(rooms: NodeRoom[], resource: 'memory' | 'cpu', unit: string): ResourceUse {
  return {
    used: rooms.reduce((sum, r) => sum + r[resource].used, 0),
    capacity: rooms.reduce((sum, r) => sum + r[resource].capacity, 0),
    unit,
  };
}

/**
 * Swarm: a tenant runs on one node, so room spread over several is no room. Undefined when some
 * node has the memory and CPU for it (the totals are checked as on one host besides).
 */
function placementReason(
  rooms: NodeRoom[],
  need: Record<Resource, number>,
  planName: string,
): string | undefined {
  if (!rooms.length) return 'nodes: no Swarm node is ready and takes tenants';
  const free = (r: NodeRoom) => ({
    memory: r.memory.capacity - r.memory.used,
    cpu: r.cpu.capacity - r.cpu.used,
  });
  if (rooms.some((r) => free(r).memory >= need.memory && free(r).cpu >= need.cpu)) return undefined;
  const most = [...rooms]
    .sort((a, b) => free(b).memory - free(a).memory)
    .slice(0, 3)
    .map((r) => `${r.name} ${fmt(free(r).memory)} MiB and ${cores(free(r).cpu)}`);
  return `nodes: no Swarm node has ${fmt(need.memory)} MiB and ${cores(need.cpu)} free for a ${planName} tenant (most free: ${most.join(', ')})`;
}

export function percentOf(use: ResourceUse): number {
  return use.capacity > 0 ? Math.round((use.used / use.capacity) * 100) : 100;
}

function cores(n: number): string {
  return `${fmt(n)} ${n === 1 ? 'core' : 'cores'}`;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

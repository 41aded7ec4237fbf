import type { DatabasePort } from '../ports/database.port.js';
import type { DockerPort } from '../ports/docker.port.js';
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
  settings: CapacitySettings;
}

export interface CapacityVerdict {
  fits: boolean;
  /** one sentence per resource that is short, for the instance and the admins */
  reasons: string[];
  use: Record<Resource, ResourceUse>;
}

/**
 * Whether one more tenant fits on this host, counted as capacity planning does (docs/capacity.md):
 * memory and CPU by each running tenant's plan (its expected footprint, not its ceiling), times the
 * overcommit of each; PostgreSQL connections as in use now plus the new tenant's role limit; free disk.
 * Every tenant container on the engine counts, whichever master owns it: they share the host.
 */
export class CapacityService {
  constructor(private readonly deps: CapacityDeps) {}

  async use(): Promise<Record<Resource, ResourceUse>> {
    const { settings } = this.deps;
    const [containers, plans, stats, freeDisk] = await Promise.all([
      this.deps.docker.listContainers(MANAGED_LABEL),
      this.deps.plans(),
      this.deps.db.connectionStats(),
      this.deps.freeDiskMb(),
    ]);
    const byCode = new Map(plans.map((p) => [p.code, p]));
    let memory = 0;
    let cpu = 0;
    for (const c of containers) {
      // a one-shot template build or a stopped tenant takes nothing lasting
      if (c.status !== 'running' && c.status !== 'restarting') continue;
      const plan = byCode.get(c.labels['saas.plan'] ?? '');
      memory += plan?.expectedMemoryMb ?? settings.defaultFootprintMb;
      cpu += plan?.cpuLimit ?? 1;
    }
    return {
      memory: {
        used: memory,
        capacity: Math.floor(settings.memoryMb * settings.memoryOvercommit),
        unit: 'MiB',
      },
      cpu: { used: cpu, capacity: settings.cpus * settings.cpuOvercommit, unit: 'cores' },
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
    const use = await this.use();
    const need = this.needOf(plan);
    const reasons: string[] = [];
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
    return { fits: reasons.length === 0, reasons, use };
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

export function percentOf(use: ResourceUse): number {
  return use.capacity > 0 ? Math.round((use.used / use.capacity) * 100) : 100;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

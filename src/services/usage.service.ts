import { createHash } from 'node:crypto';
import type { DatabasePort } from '../ports/database.port.js';
import type { FilestorePort } from '../ports/filestore.port.js';
import type { InstanceRecord, OdooPort } from '../ports/odoo.port.js';
import type { TenantIdentity } from './tenant-identity.js';

const HOUR_MS = 3_600_000;
/** instances whose tenant has a database worth measuring */
const MEASURED_STATES = ['running', 'suspended', 'error'];

/**
 * Where in each hour an instance is measured: a fixed offset from a hash of its id, so that 500
 * tenants spread their `du` and `pg_database_size` over the hour instead of all at :00.
 */
export function usageSlotStart(instanceId: number, now: number): number {
  const hash = createHash('sha256').update(`usage-slot:${instanceId}`).digest();
  const offset = Number(hash.readBigUInt64BE(0) % BigInt(HOUR_MS));
  return Math.floor((now - offset) / HOUR_MS) * HOUR_MS + offset;
}

export interface Usage {
  users: number;
  dbMb: number;
  filestoreMb: number;
}

export interface UsageDeps {
  odoo: OdooPort;
  db: DatabasePort;
  filestore: FilestorePort;
  identity: TenantIdentity;
}

/**
 * Usage measured from outside the tenant (its database and data dir, never its Odoo: a sleeping
 * tenant is not woken), written into the master's instance, where the backend and the portal show
 * it against the plan and a downgrade is checked against it.
 */
export class UsageService {
  constructor(private readonly deps: UsageDeps) {}

  /** every measured instance with the start of its current slot (part of the job id) */
  async dueMeasurements(now: number): Promise<{ instanceId: number; slotStart: number }[]> {
    const instances = await this.deps.odoo.listInstances();
    return instances
      .filter((i) => MEASURED_STATES.includes(i.state) && i.provisionedAt)
      .map((i) => ({ instanceId: i.id, slotStart: usageSlotStart(i.id, now) }));
  }

  /** measures one instance and writes the figures; answers them (undefined: nothing to measure) */
  async measure(instanceId: number): Promise<Usage | undefined> {
    const instance = await this.deps.odoo.getInstance(instanceId);
    if (!instance || !MEASURED_STATES.includes(instance.state)) return undefined;
    const db = this.dbOf(instance);
    if (!(await this.deps.db.databaseExists(db))) return undefined;
    const usage: Usage = {
      users: await this.deps.db.activeUserCount(db),
      dbMb: await this.deps.db.databaseSizeMb(db),
      filestoreMb: await this.deps.filestore.sizeMb(db),
    };
    await this.deps.odoo.updateInstance(instanceId, {
      usage_users: usage.users,
      usage_db_mb: usage.dbMb,
      usage_filestore_mb: usage.filestoreMb,
    });
    return usage;
  }

  private dbOf(instance: InstanceRecord): string {
    return instance.dbName ?? this.deps.identity.namesOf(instance).db;
  }
}

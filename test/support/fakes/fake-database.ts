import { randomUUID } from 'node:crypto';
import { BridgeError } from '../../../src/errors.js';
import type {
  BridgeAccess,
  ConnectionStats,
  DatabasePort,
} from '../../../src/ports/database.port.js';

export interface FakeDb {
  name: string;
  owner: string;
  marker: string | undefined;
  /** Odoo's database.uuid; a clone keeps its template's until resetOdooIdentity */
  uuid: string;
  /** what Odoo keeps in the database that tests look at (e.g. the admin's credentials) */
  data: Record<string, string>;
  clonedFrom: string | undefined;
}

/**
 * A PostgreSQL server in memory, as strict as the real one where it matters: names are unique,
 * a clone needs its template and owner, a role that owns a database cannot be dropped, and a
 * database comment (the marker) is not copied to clones.
 */
export class FakeDatabase implements DatabasePort {
  readonly roles = new Map<string, string>();
  /** COMMENT ON ROLE */
  readonly roleComments = new Map<string, string>();
  readonly dbs = new Map<string, FakeDb>();
  /** CONNECTION LIMIT per role */
  readonly connectionLimits = new Map<string, number>();
  /** what connectionStats answers; tests set it to fill or free the server */
  stats: ConnectionStats = { maxConnections: 500, reserved: 3, inUse: 10 };

  async ping(): Promise<void> {}

  async databaseExists(name: string): Promise<boolean> {
    return this.dbs.has(name);
  }

  async databaseMarker(name: string): Promise<string | undefined> {
    return this.dbs.get(name)?.marker;
  }

  async setDatabaseMarker(name: string, marker: string): Promise<void> {
    this.get(name).marker = marker;
  }

  async listDatabases(prefix: string): Promise<string[]> {
    return [...this.dbs.keys()].filter((n) => n.startsWith(prefix)).sort();
  }

  async ensureRole(
    name: string,
    password: string,
    comment?: string,
    connectionLimit?: number,
  ): Promise<void> {
    this.roles.set(name, password);
    if (comment !== undefined) this.roleComments.set(name, comment);
    if (connectionLimit !== undefined) this.connectionLimits.set(name, connectionLimit);
  }

  async setRoleComment(name: string, comment: string): Promise<void> {
    if (!this.roles.has(name))
      throw new BridgeError('database_failed', `role ${name} does not exist`);
    this.roleComments.set(name, comment);
  }

  async connectionStats(): Promise<ConnectionStats> {
    return { ...this.stats };
  }

  async createEmptyDatabase(name: string, owner: string): Promise<void> {
    this.create(name, owner, { uuid: randomUUID(), data: {}, clonedFrom: undefined });
  }

  async cloneDatabase(
    name: string,
    template: string,
    owner: string,
    templateOwner: string,
  ): Promise<void> {
    const source = this.get(template);
    if (source.owner !== templateOwner) {
      throw new BridgeError(
        'database_failed',
        `fake pg: ${template} is owned by ${source.owner}, not ${templateOwner}`,
      );
    }
    this.create(name, owner, { uuid: source.uuid, data: { ...source.data }, clonedFrom: template });
  }

  /** data.bridgeLogin / bridgeKeyHash: the technical user's API key; the admin loses admin/admin */
  async resetOdooIdentity(name: string, bridge: BridgeAccess): Promise<void> {
    const db = this.get(name);
    db.uuid = randomUUID();
    Object.assign(db.data, {
      adminPassword: '',
      bridgeLogin: bridge.login,
      bridgeKeyIndex: bridge.keyIndex,
      bridgeKeyHash: bridge.keyHash,
    });
  }

  async setConfigParameter(db: string, key: string, value: string): Promise<void> {
    this.get(db).data[key] = value;
  }

  async setCompanyCountry(db: string, countryCode: string): Promise<void> {
    this.get(db).data['company.country'] = countryCode;
  }

  async getConfigParameter(db: string, key: string): Promise<string | undefined> {
    return this.get(db).data[key];
  }

  async setConfigParameters(db: string, values: Record<string, string>): Promise<string[]> {
    const data = this.get(db).data;
    const changed = Object.keys(values).filter((key) => data[key] !== values[key]);
    for (const key of changed) data[key] = values[key] as string;
    return changed;
  }

  async dropDatabase(name: string): Promise<void> {
    this.dbs.delete(name);
  }

  async dropRole(name: string): Promise<void> {
    const owned = [...this.dbs.values()].find((db) => db.owner === name);
    if (owned)
      throw new BridgeError('database_failed', `fake pg: role ${name} owns database ${owned.name}`);
    this.roles.delete(name);
    this.roleComments.delete(name);
  }

  /** `data.activeUsers` of the database, 1 (the customer's admin) by default */
  async activeUserCount(db: string): Promise<number> {
    return Number(this.get(db).data.activeUsers ?? 1);
  }

  async databaseSizeMb(name: string): Promise<number> {
    this.get(name);
    return 12;
  }

  get(name: string): FakeDb {
    const db = this.dbs.get(name);
    if (!db) throw new BridgeError('database_failed', `fake pg: database "${name}" does not exist`);
    return db;
  }

  /** databases that are not templates */
  clonesOf(template: string): FakeDb[] {
    return [...this.dbs.values()].filter((db) => db.clonedFrom === template);
  }

  private create(
    name: string,
    owner: string,
    rest: Omit<FakeDb, 'name' | 'owner' | 'marker'>,
  ): void {
    if (this.dbs.has(name))
      throw new BridgeError('database_failed', `fake pg: database "${name}" already exists`);
    if (!this.roles.has(owner))
      throw new BridgeError('database_failed', `fake pg: role "${owner}" does not exist`);
    this.dbs.set(name, { name, owner, marker: undefined, ...rest });
  }
}

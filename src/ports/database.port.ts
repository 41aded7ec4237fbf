/** How the bridge gets into a tenant: an API key of its technical user, stored hashed (passlib format). */
export interface BridgeAccess {
  /** login of the technical user saas_tenant creates in every template */
  login: string;
  /** the key's first 8 characters, Odoo's lookup index (res_users_apikeys.index) */
  keyIndex: string;
  /** $pbkdf2-sha512$<rounds>$<salt>$<checksum>, as Odoo's KEY_CRYPT_CONTEXT writes it */
  keyHash: string;
}

/** Tenant and template databases on the PostgreSQL server (admin connection). */
export interface DatabasePort {
  ping(): Promise<void>;
  databaseExists(name: string): Promise<boolean>;
  /** the marker a finished step left on the database (COMMENT ON DATABASE), if any */
  databaseMarker(name: string): Promise<string | undefined>;
  setDatabaseMarker(name: string, marker: string): Promise<void>;
  listDatabases(prefix: string): Promise<string[]>;
  /**
   * creates the login role, or sets its password when it exists; the role gets no other rights.
   * `comment` (COMMENT ON ROLE) names its instance and owner, like the database marker;
   * `connectionLimit` is its CONNECTION LIMIT (services/tenant-sizing.ts), unlimited when absent.
   * Every tenant role is a member of the tenant group role, the only one pg_hba admits from tenants.
   */
  ensureRole(
    name: string,
    password: string,
    comment?: string,
    connectionLimit?: number,
  ): Promise<void>;
  /** COMMENT ON ROLE alone (its password untouched: a running tenant keeps connecting) */
  setRoleComment(name: string, comment: string): Promise<void>;
  createEmptyDatabase(name: string, owner: string): Promise<void>;
  /** CREATE DATABASE name TEMPLATE template OWNER owner, then gives every object of it to owner */
  cloneDatabase(
    name: string,
    template: string,
    owner: string,
    templateOwner: string,
  ): Promise<void>;
  /**
   * A clone must not share secret, uuid or creation date with its template or siblings; it gets the
   * bridge's own API key, and the template's admin/admin stops working (no password until set-up).
   */
  resetOdooIdentity(name: string, bridge: BridgeAccess): Promise<void>;
  /**
   * Sets one of Odoo's system parameters (ir.config_parameter) in database `db` and tells the
   * running Odoo to drop its caches: the bridge's own way into a tenant, whose admin password is
   * the customer's.
   */
  setConfigParameter(db: string, key: string, value: string): Promise<void>;
  /**
   * The country of the first company (and its partner) of a fresh Odoo database `db` that no Odoo
   * runs on: set before the apps install, so Odoo chooses that country's accounting.
   */
  setCompanyCountry(db: string, countryCode: string): Promise<void>;
  /** one of Odoo's system parameters in database `db`; undefined when it is not set */
  getConfigParameter(db: string, key: string): Promise<string | undefined>;
  /**
   * Sets several system parameters in one connection, writing only those whose value differs, and
   * tells the running Odoo to drop its caches only when one changed. Answers the keys written.
   */
  setConfigParameters(db: string, values: Record<string, string>): Promise<string[]>;
  dropDatabase(name: string): Promise<void>;
  dropRole(name: string): Promise<void>;
  databaseSizeMb(name: string): Promise<number>;
  /**
   * active internal users of a tenant database, counted as saas_tenant counts them against the
   * plan (no portal users, no __system__, no technical users); read-only, wakes nothing
   */
  activeUserCount(db: string): Promise<number>;
  /** the server's connection figures, for capacity (services/capacity.service.ts) */
  connectionStats(): Promise<ConnectionStats>;
}

export interface ConnectionStats {
  maxConnections: number;
  /** superuser_reserved_connections (+ reserved_connections): never open to tenants */
  reserved: number;
  /** backends open now (client backends only) */
  inUse: number;
}

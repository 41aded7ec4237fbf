import pg from 'pg';
import { BridgeError } from '../errors.js';
import type { BridgeAccess, ConnectionStats, DatabasePort } from '../ports/database.port.js';
import type { TenantMailServersPort } from '../ports/tenant-mail.port.js';
import type { TenantMailRelay } from '../ports/tenant.port.js';
import type { ModuleVersionsPort } from '../ports/update.port.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Quotes a database or role name after checking it is one of ours (no injection through names). */
function ident(name: string): string {
  if (!IDENTIFIER.test(name))
    throw new BridgeError('database_failed', `refusing unsafe identifier "${name}"`, true);
  return `"${name}"`;
}

function fail(action: string, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  throw new BridgeError('database_failed', `postgres ${action}: ${message}`, false, { cause: err });
}

// Gives every relation and routine the template role created to the tenant's role. REASSIGN OWNED would
// also hand over the other template databases, which are shared objects owned by the same role.
const TRANSFER_OWNERSHIP = `
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.oid::regclass AS rel, c.relkind FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
             AND pg_get_userbyid(c.relowner) = %FROM% LOOP
    EXECUTE format('ALTER %s %s OWNER TO %I',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                     WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.rel, %TO%);
  END LOOP;
  -- sequences owned by a column moved with their table; the rest now
  FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'S'
             AND pg_get_userbyid(c.relowner) = %FROM% LOOP
    EXECUTE format('ALTER SEQUENCE %s OWNER TO %I', r.rel, %TO%);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) = %FROM% LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.fn, %TO%);
  END LOOP;
END $$;`;

// Catalogs are per database: in a tenant's own database its role sees no other session or role
// membership. pg_database and pg_user stay: Odoo's list_dbs (every request's database check) joins
// them, and without it each page answers 303 to the database selector. The GRANT undoes the revoke
// of pg_user that templates built before this carry.
const HIDE_CATALOGS = `REVOKE SELECT ON pg_catalog.pg_stat_activity, pg_catalog.pg_roles,
  pg_catalog.pg_auth_members FROM PUBLIC; GRANT SELECT ON pg_catalog.pg_user TO PUBLIC`;

/** The only code that talks to PostgreSQL: tenant roles, template clones, sizes. */
export class PostgresAdapter implements DatabasePort, ModuleVersionsPort, TenantMailServersPort {
  private readonly pool: pg.Pool;

  constructor(private readonly adminUrl: string) {
    this.pool = new pg.Pool({ connectionString: adminUrl, max: 4, connectionTimeoutMillis: 5_000 });
    this.pool.on('error', () => undefined); // idle client errors surface on the next query
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async ping(): Promise<void> {
    await this.query('ping', 'SELECT 1');
  }

  async databaseExists(name: string): Promise<boolean> {
    const { rowCount } = await this.query(
      'look up database',
      'SELECT 1 FROM pg_database WHERE datname = $1',
      [name],
    );
    return (rowCount ?? 0) > 0;
  }

  async databaseMarker(name: string): Promise<string | undefined> {
    const { rows } = await this.query(
      'read marker',
      `SELECT shobj_description(oid, 'pg_database') AS marker FROM pg_database WHERE datname = $1`,
      [name],
    );
    return (rows[0]?.marker as string | null) ?? undefined;
  }

  async setDatabaseMarker(name: string, marker: string): Promise<void> {
    await this.query('set marker', `COMMENT ON DATABASE ${ident(name)} IS ${literal(marker)}`);
  }

  async listDatabases(prefix: string): Promise<string[]> {
    const { rows } = await this.query(
      'list databases',
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname`,
      [prefix],
    );
    return rows.map((r) => r.datname as string);
  }

  async ensureRole(
    name: string,
    password: string,
    comment?: string,
    connectionLimit?: number,
  ): Promise<void> {
    const { rowCount } = await this.query(
      'look up role',
      'SELECT 1 FROM pg_roles WHERE rolname = $1',
      [name],
    );
    const verb = (rowCount ?? 0) > 0 ? 'ALTER' : 'CREATE';
    const limit =
      connectionLimit === undefined ? '' : ` CONNECTION LIMIT ${connLimit(connectionLimit)}`;
    // INHERIT: a database owner may create in schema public only through its implicit membership of
    // pg_database_owner (PostgreSQL 15); the group role it joins holds no rights, so it inherits nothing else
    await this.query(
      `${verb.toLowerCase()} role ${name}`,
      `${verb} ROLE ${ident(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT${limit} PASSWORD ${literal(password)}`,
    );
    await this.joinTenantGroup(name);
    if (comment !== undefined)
      await this.query(
        `comment role ${name}`,
        `COMMENT ON ROLE ${ident(name)} IS ${literal(comment)}`,
      );
  }

  async setRoleComment(name: string, comment: string): Promise<void> {
    await this.query(
      `comment role ${name}`,
      `COMMENT ON ROLE ${ident(name)} IS ${literal(comment)}`,
    );
  }

  async createEmptyDatabase(name: string, owner: string): Promise<void> {
    await this.query(
      `create database ${name}`,
      `CREATE DATABASE ${ident(name)} OWNER ${ident(owner)} ENCODING 'UTF8' TEMPLATE template0`,
    );
    await this.restrictConnect(name, owner);
    await this.inDatabase(name, `hide catalogs in ${name}`, async (client) => {
      await client.query(HIDE_CATALOGS);
    });
  }

  async cloneDatabase(
    name: string,
    template: string,
    owner: string,
    templateOwner: string,
  ): Promise<void> {
    await this.query(
      `clone ${template} into ${name}`,
      `CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template)} OWNER ${ident(owner)}`,
    );
    await this.restrictConnect(name, owner);
    const sql = TRANSFER_OWNERSHIP.replaceAll('%FROM%', literal(templateOwner)).replaceAll(
      '%TO%',
      literal(owner),
    );
    await this.inDatabase(name, `give ${name} to ${owner}`, async (client) => {
      await client.query(sql);
      // templates made before this already carry it; older ones get it here
      await client.query(HIDE_CATALOGS);
    });
  }

  async resetOdooIdentity(name: string, bridge: BridgeAccess): Promise<void> {
    await this.inDatabase(name, `reset identity of ${name}`, async (client) => {
      await client.query(
        `UPDATE ir_config_parameter SET value = gen_random_uuid()::text
          WHERE key IN ('database.secret', 'database.uuid')`,
      );
      await client.query(
        `UPDATE ir_config_parameter SET value = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
          WHERE key = 'database.create_date'`,
      );
      // the template's admin/admin must never open a tenant: no password until set-up gives one
      await client.query(`UPDATE res_users SET password = NULL WHERE id = 2`);
      // the bridge's technical user (saas_tenant) gets this tenant's API key, as Odoo stores keys
      const { rows } = await client.query<{ id: number }>(
        `SELECT id FROM res_users WHERE login = $1`,
        [bridge.login],
      );
      const uid = rows[0]?.id;
      if (uid === undefined)
        throw new Error(`template has no user ${bridge.login} (saas_tenant not installed in it?)`);
      await client.query(`DELETE FROM res_users_apikeys WHERE user_id = $1`, [uid]);
      await client.query(
        `INSERT INTO res_users_apikeys (name, user_id, scope, index, key)
         VALUES ('SaaS bridge', $1, NULL, $2, $3)`,
        [uid, bridge.keyIndex, bridge.keyHash],
      );
    });
  }

  async setConfigParameter(db: string, key: string, value: string): Promise<void> {
    await this.inDatabase(db, `set ${key} in ${db}`, async (client) => {
      await client.query(
        `INSERT INTO ir_config_parameter (key, value, create_date, write_date)
         VALUES ($1, $2, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_date = EXCLUDED.write_date`,
        [key, value],
      );
      // get_param is cached per worker; this sequence makes each worker drop its caches
      await client.query(`SELECT nextval('base_cache_signaling_default')`);
    });
  }

  async setCompanyCountry(db: string, countryCode: string): Promise<void> {
    await this.inDatabase(db, `set the company country of ${db}`, async (client) => {
      const { rowCount } = await client.query(
        // a company's country is its partner's (a related field, not a column of res_company)
        `UPDATE res_partner SET country_id = (SELECT id FROM res_country WHERE code = $1)
         WHERE id = (SELECT partner_id FROM res_company ORDER BY id LIMIT 1)
           AND EXISTS (SELECT 1 FROM res_country WHERE code = $1)`,
        [countryCode],
      );
      if (rowCount !== 1)
        throw new BridgeError('database_failed', `${db} knows no country ${countryCode}`);
    });
  }

  async getConfigParameter(db: string, key: string): Promise<string | undefined> {
    let value: string | undefined;
    await this.inDatabase(db, `read ${key} in ${db}`, async (client) => {
      const { rows } = await client.query<{ value: string | null }>(
        'SELECT value FROM ir_config_parameter WHERE key = $1',
        [key],
      );
      value = rows[0]?.value ?? undefined;
    });
    return value;
  }

  /** CronSchedulePort: Odoo keeps nextcall in UTC, without a time zone */
  async nextCronAt(db: string): Promise<Date | undefined> {
    let next: Date | undefined;
    await this.inDatabase(db, `read the next scheduled action of ${db}`, async (client) => {
      const { rows } = await client.query<{ next: string | null }>(
        `SELECT to_char(min(nextcall), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS next FROM ir_cron WHERE active`,
      );
      next = rows[0]?.next ? new Date(rows[0].next) : undefined;
    });
    return next;
  }

  /** ModuleVersionsPort: the version Odoo recorded for an installed module (after its -u) */
  async moduleVersion(db: string, module: string): Promise<string | undefined> {
    let version: string | undefined;
    await this.inDatabase(db, `read the version of ${module} in ${db}`, async (client) => {
      const { rows } = await client.query<{ latest_version: string | null }>(
        `SELECT latest_version FROM ir_module_module WHERE name = $1 AND state = 'installed'`,
        [module],
      );
      version = rows[0]?.latest_version ?? undefined;
    });
    return version;
  }

  async setConfigParameters(db: string, values: Record<string, string>): Promise<string[]> {
    const changed: string[] = [];
    await this.inDatabase(db, `set limits in ${db}`, async (client) => {
      const { rows } = await client.query<{ key: string; value: string }>(
        `SELECT key, value FROM ir_config_parameter WHERE key = ANY($1)`,
        [Object.keys(values)],
      );
      const current = new Map(rows.map((r) => [r.key, r.value]));
      for (const [key, value] of Object.entries(values)) {
        if (current.get(key) !== value) changed.push(key);
      }
      if (changed.length === 0) return;
      await client.query('BEGIN');
      for (const key of changed) {
        await client.query(
          `INSERT INTO ir_config_parameter (key, value, create_date, write_date)
           VALUES ($1, $2, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_date = EXCLUDED.write_date`,
          [key, values[key]],
        );
      }
      await client.query(`SELECT nextval('base_cache_signaling_default')`);
      await client.query('COMMIT');
    });
    return changed;
  }

  async addRelayIfNone(db: string, relay: TenantMailRelay, mailDomain: string): Promise<boolean> {
    let added = false;
    await this.inDatabase(db, `add the mail relay to ${db}`, async (client) => {
      await client.query('BEGIN');
      // one at a time per database: two bridges' passes must not add two relays
      await client.query(`LOCK TABLE ir_mail_server IN SHARE ROW EXCLUSIVE MODE`);
      // the values saas_tenant's _apply_mail writes (models/saas_tenant_setup.py, RELAY_*)
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption,
           smtp_authentication, smtp_user, smtp_pass, from_filter, sequence, active, smtp_debug,
           create_uid, write_uid, create_date, write_date)
         SELECT $1, $2, $3, $4, 'login', $5, $6, $7, 10, true, false, 1, 1,
                now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          WHERE NOT EXISTS (SELECT 1 FROM ir_mail_server)
            AND NOT EXISTS (SELECT 1 FROM ir_config_parameter WHERE key = $8)
         RETURNING id`,
        [
          TENANT_RELAY_NAME,
          relay.host,
          relay.port,
          relay.encryption,
          relay.user ?? null,
          relay.password ?? null,
          mailDomain,
          TENANT_RELAY_PARAM,
        ],
      );
      const id = rows[0]?.id;
      if (id !== undefined) {
        await client.query(
          `INSERT INTO ir_config_parameter (key, value, create_date, write_date)
           VALUES ($1, $2, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')`,
          [TENANT_RELAY_PARAM, String(id)],
        );
        await client.query(`SELECT nextval('base_cache_signaling_default')`);
        added = true;
      }
      await client.query('COMMIT');
    });
    return added;
  }

  async dropDatabase(name: string): Promise<void> {
    await this.query(
      `drop database ${name}`,
      `DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`,
    );
  }

  async dropRole(name: string): Promise<void> {
    await this.query(`drop role ${name}`, `DROP ROLE IF EXISTS ${ident(name)}`);
  }

  async databaseSizeMb(name: string): Promise<number> {
    const { rows } = await this.query('database size', 'SELECT pg_database_size($1) AS bytes', [
      name,
    ]);
    return Math.round(Number(rows[0]?.bytes ?? 0) / 1024 / 1024);
  }

  async connectionStats(): Promise<ConnectionStats> {
    const { rows } = await this.query(
      'connection stats',
      `SELECT current_setting('max_connections')::int AS max,
              current_setting('superuser_reserved_connections')::int AS reserved,
              (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS in_use`,
    );
    const row = rows[0] as { max: number; reserved: number; in_use: number };
    return { maxConnections: row.max, reserved: row.reserved, inUse: row.in_use };
  }

  /** pg_hba admits tenants by this group (scripts/lib/postgres.sh); made here too when missing */
  private async joinTenantGroup(name: string): Promise<void> {
    const group = ident(TENANT_GROUP);
    await this.query(
      'tenant group',
      `DO $$ BEGIN CREATE ROLE ${group} NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
    );
    await this.query(`grant ${TENANT_GROUP} to ${name}`, `GRANT ${group} TO ${ident(name)}`);
  }

  async activeUserCount(db: string): Promise<number> {
    let count = 0;
    await this.inDatabase(db, `count users of ${db}`, async (client) => {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM res_users
          WHERE active AND NOT share AND id <> 1 AND NOT COALESCE(saas_technical, false)`,
      );
      count = Number(rows[0]?.n ?? 0);
    });
    return count;
  }

  private async restrictConnect(name: string, owner: string): Promise<void> {
    await this.query(`restrict ${name}`, `REVOKE ALL ON DATABASE ${ident(name)} FROM PUBLIC`);
    await this.query(
      `grant ${name}`,
      `GRANT CONNECT, TEMPORARY ON DATABASE ${ident(name)} TO ${ident(owner)}`,
    );
  }

  private async query(
    action: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<pg.QueryResult> {
    try {
      return await this.pool.query(sql, params);
    } catch (err) {
      fail(action, err);
    }
  }

  private async inDatabase(
    db: string,
    action: string,
    work: (client: pg.Client) => Promise<void>,
  ): Promise<void> {
    const url = new URL(this.adminUrl);
    url.pathname = `/${db}`;
    const client = new pg.Client({
      connectionString: url.toString(),
      connectionTimeoutMillis: 5_000,
    });
    try {
      await client.connect();
      await work(client);
    } catch (err) {
      fail(action, err);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** saas_tenant's name of the platform's relay, and the parameter that records its id (RELAY_*) */
export const TENANT_RELAY_NAME = 'Platform mail relay';
export const TENANT_RELAY_PARAM = 'saas_tenant.mail_server_id';

/** the group role every tenant role joins: pg_hba's "+saas_tenants" (scripts/lib/postgres.sh) */
export const TENANT_GROUP = 'saas_tenants';

function connLimit(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 10_000)
    throw new BridgeError('database_failed', `refusing connection limit ${value}`, true);
  return value;
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

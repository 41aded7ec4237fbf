import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { logFigure, unavailable } from '../support/integration/availability.js';
import { connectAs, pgAdminUrl, sqlAs } from '../support/integration/pg-admin.js';

let adminUrl = '';
const skip = await unavailable('PostgreSQL', async () => {
  adminUrl = await pgAdminUrl();
  const probe = new PostgresAdapter(adminUrl);
  await probe.ping().finally(() => probe.close());
});

const run = randomBytes(3).toString('hex');
const TEMPLATE_ROLE = `it_tmpl_${run}`;
const TEMPLATE_A = `it_tmpl_a_${run}`;
const TEMPLATE_B = `it_tmpl_b_${run}`;
const TENANT_X = `it_tenant_x_${run}`;
const TENANT_Y = `it_tenant_y_${run}`;
const PASSWORDS: Record<string, string> = {
  [TEMPLATE_ROLE]: `tmpl-${randomBytes(9).toString('hex')}`,
  [TENANT_X]: `x-${randomBytes(9).toString('hex')}`,
  [TENANT_Y]: `y-${randomBytes(9).toString('hex')}`,
};

/** what Odoo's -i base leaves that matters here: tables with sequences, a view, a function, parameters */
const TEMPLATE_SQL = `
  CREATE TABLE res_partner (id serial PRIMARY KEY, name varchar NOT NULL);
  CREATE INDEX res_partner_name_index ON res_partner (name);
  CREATE SEQUENCE it_standalone_seq;
  CREATE VIEW res_partner_names AS SELECT name FROM res_partner;
  CREATE FUNCTION it_answer() RETURNS int LANGUAGE sql AS 'SELECT 42';
  CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar NOT NULL UNIQUE, value text NOT NULL,
    create_date timestamp, write_date timestamp);
  CREATE SEQUENCE base_cache_signaling_default;
  INSERT INTO ir_config_parameter (key, value) VALUES
    ('database.secret', 'template-secret'), ('database.uuid', 'template-uuid'),
    ('database.create_date', '2020-01-01 00:00:00'), ('web.base.url', 'http://template.example');
  INSERT INTO res_partner (name) VALUES ('Template Company');
  CREATE TABLE res_users (id serial PRIMARY KEY, login varchar NOT NULL UNIQUE, password varchar);
  INSERT INTO res_users (id, login, password) VALUES (1, '__system__', NULL), (2, 'admin', '$pbkdf2-sha512$admin'),
    (5, '__saas_bridge__', NULL);
  CREATE TABLE res_users_apikeys (id serial PRIMARY KEY, name varchar NOT NULL,
    user_id integer NOT NULL REFERENCES res_users(id) ON DELETE CASCADE, scope varchar,
    index varchar(8) NOT NULL CHECK (char_length(index) = 8), key varchar NOT NULL,
    create_date timestamp without time zone DEFAULT (now() at time zone 'utc'));
`;

const BRIDGE = {
  login: '__saas_bridge__',
  keyIndex: 'abcd1234',
  keyHash: '$pbkdf2-sha512$6000$c2FsdA$x',
};

let db: PostgresAdapter;
let admin: pg.Client;

const as = (role: string, database: string, sql: string) =>
  sqlAs(adminUrl, role, PASSWORDS[role] ?? '', database, sql);

async function params(database: string): Promise<Record<string, string>> {
  const { rows } = await inDb(database, 'SELECT key, value FROM ir_config_parameter');
  return Object.fromEntries(rows.map((r: { key: string; value: string }) => [r.key, r.value]));
}

async function inDb(database: string, sql: string): Promise<pg.QueryResult> {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function databaseOwner(name: string): Promise<string> {
  const { rows } = await admin.query(
    'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
    [name],
  );
  return (rows[0] as { owner: string }).owner;
}

describe.skipIf(skip)('PostgresAdapter against the real server', () => {
  beforeAll(async () => {
    db = new PostgresAdapter(adminUrl);
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await db.ensureRole(TEMPLATE_ROLE, PASSWORDS[TEMPLATE_ROLE] ?? '');
    for (const template of [TEMPLATE_A, TEMPLATE_B]) {
      await db.createEmptyDatabase(template, TEMPLATE_ROLE);
      // built connecting as the template role, like the template build container does
      await as(TEMPLATE_ROLE, template, TEMPLATE_SQL);
    }
  });

  afterAll(async () => {
    if (!db) return;
    for (const name of await db.listDatabases('it_'))
      if (name.endsWith(run)) await db.dropDatabase(name);
    for (const role of [TENANT_X, TENANT_Y, TEMPLATE_ROLE]) await db.dropRole(role);
    await admin.end();
    await db.close();
  });

  it('clones a template into a tenant database owned, with all its objects, by the tenant role', async () => {
    await db.ensureRole(TENANT_X, PASSWORDS[TENANT_X] ?? '');
    const started = performance.now();
    await db.cloneDatabase(TENANT_X, TEMPLATE_A, TENANT_X, TEMPLATE_ROLE);
    const cloned = performance.now();
    await db.resetOdooIdentity(TENANT_X, BRIDGE);
    logFigure(
      `clone of a small template: ${(cloned - started).toFixed(0)} ms, identity reset ${(performance.now() - cloned).toFixed(0)} ms`,
    );

    expect(await db.databaseExists(TENANT_X)).toBe(true);
    expect(await databaseOwner(TENANT_X)).toBe(TENANT_X);
    const { rows: relations } = await inDb(
      TENANT_X,
      `SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1`,
    );
    expect(relations.map((r: { relname: string }) => r.relname)).toEqual(
      expect.arrayContaining([
        'res_partner',
        'res_partner_id_seq',
        'res_partner_name_index',
        'it_standalone_seq',
        'res_partner_names',
        'ir_config_parameter',
      ]),
    );
    for (const r of relations)
      expect(r, `owner of ${r.relname}`).toMatchObject({ owner: TENANT_X });
    const { rows: routines } = await inDb(
      TENANT_X,
      `SELECT p.proname, pg_get_userbyid(p.proowner) AS owner FROM pg_proc p
         JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`,
    );
    expect(routines).toEqual([{ proname: 'it_answer', owner: TENANT_X }]);
  });

  it('leaves every template database owned by the template role (no REASSIGN OWNED)', async () => {
    expect(await databaseOwner(TEMPLATE_A)).toBe(TEMPLATE_ROLE);
    expect(await databaseOwner(TEMPLATE_B)).toBe(TEMPLATE_ROLE);
    const { rows } = await inDb(
      TEMPLATE_A,
      `SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'`,
    );
    expect(rows).toEqual([{ owner: TEMPLATE_ROLE }]);
  });

  it('sets an Odoo system parameter in a tenant and signals the running Odoo to drop its caches', async () => {
    const signal = async () =>
      Number(
        (await inDb(TENANT_X, 'SELECT last_value FROM base_cache_signaling_default')).rows[0]
          .last_value,
      );
    const before = await signal();
    await db.setConfigParameter(TENANT_X, 'saas_tenant.expiration_date', '2030-01-31');
    await db.setConfigParameter(TENANT_X, 'saas_tenant.expiration_date', '2030-02-28');
    expect((await params(TENANT_X))['saas_tenant.expiration_date']).toBe('2030-02-28');
    expect(await db.getConfigParameter(TENANT_X, 'saas_tenant.expiration_date')).toBe('2030-02-28');
    expect(await db.getConfigParameter(TENANT_X, 'saas_tenant.no_such_key')).toBeUndefined();
    expect(await signal()).toBeGreaterThan(before);
  });

  it('writes only the limits that differ, and signals caches only then', async () => {
    const signal = async () =>
      Number(
        (await inDb(TENANT_X, 'SELECT last_value FROM base_cache_signaling_default')).rows[0]
          .last_value,
      );
    const limits = { 'saas_tenant.max_users': '3', 'saas_tenant.apps': 'contacts,crm' };
    expect((await db.setConfigParameters(TENANT_X, limits)).sort()).toEqual([
      'saas_tenant.apps',
      'saas_tenant.max_users',
    ]);
    const before = await signal();
    expect(await db.setConfigParameters(TENANT_X, limits)).toEqual([]);
    expect(await signal()).toBe(before);
    expect(
      await db.setConfigParameters(TENANT_X, { ...limits, 'saas_tenant.max_users': '10' }),
    ).toEqual(['saas_tenant.max_users']);
    expect(await signal()).toBeGreaterThan(before);
    expect(await params(TENANT_X)).toMatchObject({
      'saas_tenant.max_users': '10',
      'saas_tenant.apps': 'contacts,crm',
    });
  });

  it('gives the clone its own Odoo identity', async () => {
    const template = await params(TEMPLATE_A);
    const tenant = await params(TENANT_X);
    expect(tenant['database.secret']).not.toBe(template['database.secret']);
    expect(tenant['database.uuid']).not.toBe(template['database.uuid']);
    expect(tenant['database.uuid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(tenant['database.create_date']).not.toBe('2020-01-01 00:00:00');
    const created = Date.parse(`${tenant['database.create_date']?.replace(' ', 'T')}Z`);
    expect(Math.abs(Date.now() - created)).toBeLessThan(5 * 60_000);
    expect(tenant['web.base.url']).toBe('http://template.example');
  });

  it("gives the clone the bridge's API key once, and takes the template's admin password away", async () => {
    await db.resetOdooIdentity(TENANT_X, { ...BRIDGE, keyIndex: 'ffff0000', keyHash: 'second' });
    const { rows: keys } = await inDb(
      TENANT_X,
      'SELECT user_id, scope, index, key FROM res_users_apikeys ORDER BY id',
    );
    expect(keys).toEqual([{ user_id: 5, scope: null, index: 'ffff0000', key: 'second' }]);
    const { rows: users } = await inDb(TENANT_X, 'SELECT id, password FROM res_users ORDER BY id');
    expect(users).toEqual([
      { id: 1, password: null },
      { id: 2, password: null },
      { id: 5, password: null },
    ]);
    // the template keeps its own admin: it is cloned again for the next customer
    const { rows: template } = await inDb(
      TEMPLATE_A,
      'SELECT count(*)::int AS n FROM res_users_apikeys',
    );
    expect(template).toEqual([{ n: 0 }]);
  });

  it('refuses a template without the technical user', async () => {
    await expect(
      db.resetOdooIdentity(TENANT_X, { ...BRIDGE, login: '__nobody__' }),
    ).rejects.toMatchObject({ code: 'database_failed', message: /no user __nobody__/ });
  });

  it('comments a role with its owner when asked', async () => {
    await db.ensureRole(TENANT_X, PASSWORDS[TENANT_X] ?? '', 'saas:instance:7 owner:abc-123');
    const { rows } = await admin.query(
      `SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1`,
      [TENANT_X],
    );
    expect(rows).toEqual([{ comment: 'saas:instance:7 owner:abc-123' }]);
  });

  it('lets the tenant role work in its own database like Odoo does (data, sequences, DDL)', async () => {
    const rows = await as(
      TENANT_X,
      TENANT_X,
      `INSERT INTO res_partner (name) VALUES ('Customer Co');
       SELECT nextval('it_standalone_seq');
       ALTER TABLE res_partner ADD COLUMN email varchar;
       CREATE TABLE sale_order (id serial PRIMARY KEY, partner_id int REFERENCES res_partner(id));
       SELECT it_answer() AS answer, (SELECT count(*)::int FROM res_partner_names) AS partners;`,
    );
    expect(rows).toEqual([{ answer: 42, partners: 2 }]);
  });

  it('keeps tenants out of other tenants and templates (CONNECT revoked from PUBLIC)', async () => {
    await db.ensureRole(TENANT_Y, PASSWORDS[TENANT_Y] ?? '');
    await db.cloneDatabase(TENANT_Y, TEMPLATE_A, TENANT_Y, TEMPLATE_ROLE);
    await expect(as(TENANT_Y, TENANT_Y, 'SELECT 1')).resolves.toHaveLength(1);
    const denied = /permission denied for database/;
    await expect(as(TENANT_X, TENANT_Y, 'SELECT 1')).rejects.toThrow(denied);
    await expect(as(TENANT_Y, TENANT_X, 'SELECT 1')).rejects.toThrow(denied);
    await expect(as(TENANT_X, TEMPLATE_A, 'SELECT 1')).rejects.toThrow(denied);
    // (the maintenance database "postgres" stays open to PUBLIC: pg_hba's "sameuser" rule for the
    // tenant subnet keeps tenant containers out of it, see docs/contracts.md)
    await expect(as(TEMPLATE_ROLE, TENANT_X, 'SELECT 1')).rejects.toThrow(denied);
  });

  it('keeps markers as database comments, not copied to clones', async () => {
    expect(await db.databaseMarker(TEMPLATE_B)).toBeUndefined();
    await db.setDatabaseMarker(TEMPLATE_B, "saas:template-ready it's");
    expect(await db.databaseMarker(TEMPLATE_B)).toBe("saas:template-ready it's");
    const clone = `it_tenant_m_${run}`;
    await db.ensureRole(clone, 'marker-clone-password');
    await db.cloneDatabase(clone, TEMPLATE_B, clone, TEMPLATE_ROLE);
    expect(await db.databaseMarker(clone)).toBeUndefined();
    await db.setDatabaseMarker(clone, 'saas:instance:7');
    expect(await db.databaseMarker(clone)).toBe('saas:instance:7');
    expect(await db.databaseMarker(`it_missing_${run}`)).toBeUndefined();
    await db.dropDatabase(clone);
    await db.dropRole(clone);
  });

  it('creates a role once and changes its password when ensured again', async () => {
    const role = `it_role_${run}`;
    await db.ensureRole(role, 'first-password-1');
    await db.ensureRole(role, 'second-password-2');
    const { rows } = await admin.query(
      `SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = $1`,
      [role],
    );
    expect(rows).toEqual([
      { rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: false },
    ]);
    await admin.query(`GRANT CONNECT ON DATABASE ${TEMPLATE_B} TO ${role}`);
    await expect(
      sqlAs(adminUrl, role, 'second-password-2', TEMPLATE_B, 'SELECT 1'),
    ).resolves.toHaveLength(1);
    await expect(sqlAs(adminUrl, role, 'first-password-1', TEMPLATE_B, 'SELECT 1')).rejects.toThrow(
      /password authentication failed/,
    );
    await admin.query(`REVOKE CONNECT ON DATABASE ${TEMPLATE_B} FROM ${role}`);
    await db.dropRole(role);
  });

  it('drops databases (even with users connected) and roles idempotently', async () => {
    const name = `it_tenant_d_${run}`;
    await db.ensureRole(name, 'drop-me-password');
    await db.cloneDatabase(name, TEMPLATE_A, name, TEMPLATE_ROLE);
    const connected = await connectAs(adminUrl, name, 'drop-me-password', name);
    await db.dropDatabase(name);
    await connected.end().catch(() => undefined);
    await db.dropDatabase(name);
    await db.dropRole(name);
    await db.dropRole(name);
    expect(await db.databaseExists(name)).toBe(false);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
    expect(rowCount).toBe(0);
  });

  it('lists databases by prefix and measures them', async () => {
    const listed = await db.listDatabases(`it_tenant_`);
    expect(listed).toEqual(expect.arrayContaining([TENANT_X, TENANT_Y]));
    expect(listed).toEqual([...listed].sort());
    expect(listed.every((n) => n.startsWith('it_tenant_'))).toBe(true);
    expect(await db.databaseSizeMb(TENANT_X)).toBeGreaterThan(0);
  });

  it('refuses unsafe names permanently, before any SQL', async () => {
    for (const bad of ['Tenant', 'x"; DROP DATABASE postgres; --', 'a-b', '1abc', 'a'.repeat(64)]) {
      await expect(db.dropDatabase(bad)).rejects.toMatchObject({
        code: 'database_failed',
        permanent: true,
      });
    }
    await expect(
      db.cloneDatabase(`it_x_${run}`, 'bad name', TENANT_X, TEMPLATE_ROLE),
    ).rejects.toMatchObject({
      code: 'database_failed',
      permanent: true,
    });
  });

  it('reports a clone of a missing template as a database_failed error', async () => {
    await expect(
      db.cloneDatabase(`it_tenant_z_${run}`, `it_missing_${run}`, TENANT_X, TEMPLATE_ROLE),
    ).rejects.toMatchObject({
      code: 'database_failed',
      permanent: false,
    });
  });

  it('logs template build and clone figures for an Odoo-sized schema (400 tables)', async () => {
    const template = `it_tmpl_big_${run}`;
    const tenant = `it_tenant_big_${run}`;
    let started = performance.now();
    await db.createEmptyDatabase(template, TEMPLATE_ROLE);
    const tables = Array.from(
      { length: 400 },
      (_, i) =>
        `CREATE TABLE t${i} (id serial PRIMARY KEY, name varchar, ref int, note text);
         CREATE INDEX t${i}_ref ON t${i} (ref);
         INSERT INTO t${i} (name, ref, note) SELECT 'row ' || g, g, repeat('x', 100) FROM generate_series(1, 50) g;`,
    ).join('\n');
    await as(TEMPLATE_ROLE, template, `${TEMPLATE_SQL}\n${tables}`);
    const built = performance.now() - started;
    await db.ensureRole(tenant, 'big-tenant-password');
    started = performance.now();
    await db.cloneDatabase(tenant, template, tenant, TEMPLATE_ROLE);
    const cloned = performance.now() - started;
    started = performance.now();
    await db.resetOdooIdentity(tenant, BRIDGE);
    const reset = performance.now() - started;
    logFigure(
      `Odoo-sized template (400 tables, ${await db.databaseSizeMb(template)} MB): build ${built.toFixed(0)} ms; ` +
        `clone with ownership transfer ${cloned.toFixed(0)} ms; identity reset ${reset.toFixed(0)} ms`,
    );
    const { rows } = await inDb(
      tenant,
      `SELECT count(*)::int AS foreign_owned FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) <> '${tenant}'`,
    );
    expect(rows).toEqual([{ foreign_owned: 0 }]);
    await db.dropDatabase(tenant);
    await db.dropRole(tenant);
  });
});

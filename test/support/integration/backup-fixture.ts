import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { PostgresAdapter } from '../../../src/adapters/postgres.adapter.js';

/** what an Odoo tenant holds that a backup must bring back: partners, attachments, modules */
const TENANT_SQL = `
  CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar NOT NULL, state varchar,
    latest_version varchar);
  INSERT INTO ir_module_module (name, state, latest_version) VALUES
    ('base', 'installed', '17.0.1.3'), ('web', 'installed', '17.0.1.0'), ('crm', 'uninstalled', NULL);
  CREATE TABLE res_partner (id serial PRIMARY KEY, name varchar NOT NULL, email varchar,
    comment text);
  INSERT INTO res_partner (name, email, comment)
    SELECT 'Customer ' || g, 'c' || g || '@example.com', repeat('notes ', 20) FROM generate_series(1, 1000) g;
  CREATE TABLE ir_attachment (id serial PRIMARY KEY, name varchar, store_fname varchar,
    file_size int);
`;

export interface TenantFixture {
  db: string;
  role: string;
  filestoreDir: string;
  attachments: { storeFname: string; bytes: Buffer }[];
}

/** a tenant-sized database owned by its own role (1,000 partners) and a filestore of a few files */
export async function createTenant(
  admin: PostgresAdapter,
  adminUrl: string,
  name: string,
  dataRoot: string,
  attachmentKb: number[] = [120, 300, 40],
): Promise<TenantFixture> {
  await admin.ensureRole(name, randomBytes(12).toString('hex'));
  await admin.createEmptyDatabase(name, name);
  const filestoreDir = path.join(dataRoot, name, 'filestore', name);
  const attachments = [];
  for (const [i, kb] of attachmentKb.entries()) {
    const bytes = randomBytes(kb * 1024);
    const sha = randomBytes(20).toString('hex');
    const storeFname = `${sha.slice(0, 2)}/${sha}`;
    await mkdir(path.join(filestoreDir, sha.slice(0, 2)), { recursive: true });
    await writeFile(path.join(filestoreDir, storeFname), bytes);
    attachments.push({ storeFname, bytes, name: `file-${i}.bin` });
  }
  const values = attachments
    .map((a) => `('${a.name}', '${a.storeFname}', ${a.bytes.length})`)
    .join(', ');
  await sql(
    adminUrl,
    name,
    `SET ROLE "${name}"; ${TENANT_SQL}
     INSERT INTO ir_attachment (name, store_fname, file_size) VALUES ${values};`,
  );
  return { db: name, role: name, filestoreDir, attachments };
}

export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(
  adminUrl: string,
  database: string,
  text: string,
): Promise<T[]> {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const result: pg.QueryResult<T> | pg.QueryResult<T>[] = await client.query<T>(text);
    return (Array.isArray(result) ? result.at(-1)?.rows : result.rows) ?? [];
  } finally {
    await client.end();
  }
}

/** owners of the public tables of a database */
export async function tableOwners(adminUrl: string, database: string): Promise<string[]> {
  const rows = await sql<{ owner: string }>(
    adminUrl,
    database,
    `SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'`,
  );
  return rows.map((r) => r.owner);
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { run } from './run.js';

const TEST_ADMIN = 'saas_it_admin';

/**
 * A superuser URL for the adapter: PG_ADMIN_URL when set (scripts/setup makes saas_admin), else the
 * role saas_it_admin, created or given a fresh password through the local postgres superuser.
 */
export async function pgAdminUrl(): Promise<string> {
  if (process.env.PG_ADMIN_URL) return process.env.PG_ADMIN_URL;
  if (process.getuid?.() !== 0)
    throw new Error('PG_ADMIN_URL is not set and only root can create a test role');
  const password = randomBytes(18).toString('base64url');
  const sql = `
    SELECT format('CREATE ROLE ${TEST_ADMIN} LOGIN SUPERUSER PASSWORD %L', :'pw')
     WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${TEST_ADMIN}') \\gexec
    SELECT format('ALTER ROLE ${TEST_ADMIN} LOGIN SUPERUSER PASSWORD %L', :'pw') \\gexec
  `;
  await run(
    'su',
    ['postgres', '-c', `psql -X -q -v ON_ERROR_STOP=1 -v pw=${password} -d postgres`],
    sql,
  );
  return `postgres://${TEST_ADMIN}:${password}@127.0.0.1:5432/postgres`;
}

/** connects (TCP) as `user` to `database`; the caller ends the client */
export async function connectAs(
  adminUrl: string,
  user: string,
  password: string,
  database: string,
): Promise<pg.Client> {
  const url = new URL(adminUrl);
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  const client = new pg.Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: 5_000,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** runs SQL as `user` in `database` and disconnects; answers the rows of the last statement */
export async function sqlAs<T extends pg.QueryResultRow = pg.QueryResultRow>(
  adminUrl: string,
  user: string,
  password: string,
  database: string,
  sql: string,
): Promise<T[]> {
  const client = await connectAs(adminUrl, user, password, database);
  try {
    // several statements answer one result each; the last one's rows are the answer
    const result: pg.QueryResult<T> | pg.QueryResult<T>[] = await client.query<T>(sql);
    return (Array.isArray(result) ? result.at(-1)?.rows : result.rows) ?? [];
  } finally {
    await client.end();
  }
}

/**
 * The tenant's side, seen from outside as a customer or an operator would: its address through
 * the proxy, a record in its database, and what a purge leaves behind (nothing but the final backup).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { jsonRpc, request, type HttpAnswer } from '../e2e/http.js';
import { docker } from '../e2e/support/stack.js';

const run = promisify(execFile);

export interface TenantLogin {
  url: string;
  db: string;
  login: string;
  password: string;
}

/** polls `url` until `accept` holds for its answer; the time it first did */
export async function waitForAnswer(
  url: string,
  what: string,
  accept: (a: HttpAnswer) => boolean,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const answer = await request(url, { timeoutMs: 5_000 });
      if (accept(answer)) return Date.now();
      last = `HTTP ${answer.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline)
      throw new Error(`${url}: ${what} not within ${timeoutMs / 1000} s (last: ${last})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export const isSuspendedPage = (a: HttpAnswer) =>
  a.status === 503 && a.body.includes('Service suspended / Servicio suspendido');

export const isOdooLogin = (a: HttpAnswer) => a.status === 200 && a.body.includes('oe_login_form');

async function uidOf(t: TenantLogin): Promise<number> {
  const uid = await jsonRpc<number | false>(t.url, 'common', 'authenticate', [
    t.db,
    t.login,
    t.password,
    {},
  ]);
  if (typeof uid !== 'number' || uid <= 0)
    throw new Error(`${t.login} cannot log into ${t.db} at ${t.url}`);
  return uid;
}

async function tenantCall<T>(t: TenantLogin, model: string, method: string, args: unknown[]) {
  const uid = await uidOf(t);
  return jsonRpc<T>(t.url, 'object', 'execute_kw', [t.db, uid, t.password, model, method, args]);
}

/** the customer creates a contact in their Odoo, with their own login */
export function createContact(t: TenantLogin, name: string): Promise<number> {
  return tenantCall<number>(t, 'res.partner', 'create', [{ name }]);
}

export async function contactIds(t: TenantLogin, name: string): Promise<number[]> {
  return tenantCall<number[]>(t, 'res.partner', 'search', [[['name', '=', name]]]);
}

async function psql(adminUrl: string, sql: string, db?: string): Promise<string> {
  const url = db ? `${adminUrl.replace(/\/[^/]*$/, '')}/${db}` : adminUrl;
  const { stdout } = await run('psql', [url, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
  return stdout.trim();
}

/** what is left of a tenant's resources, by name (empty when the purge removed everything) */
export async function leftovers(
  names: { container: string; db: string },
  adminUrl: string,
  dataDir: string,
): Promise<string[]> {
  const left: string[] = [];
  const containers = await docker('ps', '-aq', '--filter', `name=^/${names.container}$`);
  if (containers) left.push(`container ${names.container}`);
  const lit = names.db.replaceAll("'", "''");
  if (await psql(adminUrl, `SELECT 1 FROM pg_database WHERE datname = '${lit}'`))
    left.push(`database ${names.db}`);
  if (await psql(adminUrl, `SELECT 1 FROM pg_roles WHERE rolname = '${lit}'`))
    left.push(`role ${names.db}`);
  if (existsSync(path.join(dataDir, names.db))) left.push(`data dir ${dataDir}/${names.db}`);
  return left;
}

interface Snapshot {
  id: string;
  time: string;
  tags?: string[];
}

/**
 * The final backup's dump (restic, the tenant's own repository under the stack's `base`) restored into a scratch database, as
 * README's restore block does for the master; answers the ids of the contacts named `contact` in it.
 */
export async function restoreFinalBackup(
  env: Record<string, string>,
  base: string,
  db: string,
  contact: string,
): Promise<{ snapshot: string; contacts: number; partners: number }> {
  if (!base || !env.RESTIC_PASSWORD) throw new Error('repository base/RESTIC_PASSWORD unset');
  const resticEnv = {
    ...process.env,
    RESTIC_REPOSITORY: `${base.replace(/\/+$/, '')}/${db}`,
    RESTIC_PASSWORD: env.RESTIC_PASSWORD,
  };
  const { stdout } = await run('restic', ['snapshots', '--json', '--tag', 'kind=final,part=db'], {
    env: resticEnv,
    maxBuffer: 16 << 20,
  });
  const snapshots = JSON.parse(stdout) as Snapshot[];
  const newest = snapshots.sort((a, b) => b.time.localeCompare(a.time))[0];
  if (!newest)
    throw new Error(`no final backup (kind=final, part=db) in ${resticEnv.RESTIC_REPOSITORY}`);
  const adminUrl = env.PG_ADMIN_URL ?? '';
  const scratch = `lifecycle_restore_${Date.now().toString(36)}`;
  await psql(adminUrl, `CREATE DATABASE "${scratch}"`);
  try {
    await pipeDumpInto(resticEnv, newest.id, `${adminUrl.replace(/\/[^/]*$/, '')}/${scratch}`);
    const lit = contact.replaceAll("'", "''");
    const contacts = Number(
      await psql(adminUrl, `SELECT count(*) FROM res_partner WHERE name = '${lit}'`, scratch),
    );
    const partners = Number(await psql(adminUrl, 'SELECT count(*) FROM res_partner', scratch));
    return { snapshot: newest.id.slice(0, 8), contacts, partners };
  } finally {
    await psql(adminUrl, `DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`).catch(
      () => undefined,
    );
  }
}

/** `restic dump <snapshot> /dump.sql | psql <url>` in one transaction, failing on the first error */
function pipeDumpInto(env: NodeJS.ProcessEnv, snapshot: string, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const dump = spawn('restic', ['dump', snapshot, '/dump.sql'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const load = spawn('psql', [url, '-Xq', '-v', 'ON_ERROR_STOP=1', '--single-transaction'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let errors = '';
    dump.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    load.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    dump.stdout.pipe(load.stdin);
    let exited = 0;
    const codes: (number | null)[] = [];
    const done = (code: number | null) => {
      codes.push(code);
      if (++exited < 2) return;
      if (codes.every((c) => c === 0)) resolve();
      else reject(new Error(`restore of ${snapshot} failed: ${errors.trim().slice(-400)}`));
    };
    dump.on('exit', done);
    load.on('exit', done);
  });
}

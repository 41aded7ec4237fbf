import { spawn } from 'node:child_process';
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  access,
  mkdir,
  open,
  readFile,
  readdir,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { addonFingerprint } from '../../../src/adapters/addon-fingerprint.js';
import { waitFor } from './availability.js';
import { freePort } from './net.js';
import { run } from './run.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const ADDONS_DIR = path.join(REPO_ROOT, 'odoo-addons');
const PYTHON = '/usr/bin/python3';
/** what the stack installs in its master (scripts/stack prepare_master_db) */
const MODULES = 'website_sale,payment_demo,payment_stripe,saas_master';
const DB_ROLE = 'odoo_master';
/** templates (database + filestore) outlive runs; a run's clone and data dir (under runs/) do not */
const TEMPLATE_ROOT = path.join(tmpdir(), 'saas-it-master');
const RUNS_DIR = path.join(TEMPLATE_ROOT, 'runs');
const RUN_PREFIX = 'saas_it_master_run_';
const TEMPLATE_PREFIX = 'saas_it_master_tmpl_';
/** one template build at a time on this PostgreSQL cluster, whichever checkout asks */
const BUILD_LOCK = 0x5a45_7431;
const STALE_RUN_MS = 3 * 3600_000;
const STALE_TEMPLATE_MS = 3 * 24 * 3600_000;

export interface Credentials {
  login: string;
  password: string;
  /**
   * An API key of the same user, which ODOO_PASSWORD may hold instead. Suites call with it: Odoo
   * checks a key with 6,000 pbkdf2 rounds, while the first password login re-hashes the password to
   * 600,000, which every later call of that user then pays (about 2 s each on this 2-core machine).
   */
  apiKey: string;
}

/** A master Odoo of our own: served on a free loopback port, database and data dir dropped by stop(). */
export interface MasterOdoo {
  url: string;
  db: string;
  /** the bridge's technical user (group SaaS Bridge), as ODOO_LOGIN/ODOO_PASSWORD in a stack */
  bridge: Credentials;
  /** the master's admin (SaaS manager): fixtures a back-office user would make */
  admin: Credentials;
  /** how the seconds went: template build (or reuse), clone, start */
  figures: string;
  stop(): Promise<void>;
}

/** what an OdooClient needs to call `master` as `user`, with the user's API key */
export function clientOptions(
  master: MasterOdoo,
  user: Credentials,
  timeoutMs = 30_000,
): { url: string; db: string; login: string; password: string; timeoutMs: number } {
  return { url: master.url, db: master.db, login: user.login, password: user.apiKey, timeoutMs };
}

/** throws why a master cannot be made here: the probe for unavailable() */
export async function probeMasterOdoo(): Promise<void> {
  const src = process.env.ODOO_SRC;
  if (!src) throw new Error('ODOO_SRC is not set (point it at an Odoo 17 tree, e.g. /opt/odoo17)');
  await access(path.join(src, 'odoo-bin')).catch(() => {
    throw new Error(`ODOO_SRC=${src} has no odoo-bin`);
  });
  const admin = await connect('postgres');
  await admin.end();
}

/**
 * `db` as a clone of a template holding MODULES, its filestore copied into `dataDir`. The template
 * is built once per addons fingerprint (minutes) and kept, so a later run only copies it (seconds).
 * With dropMasterDatabase, the one piece to swap for the stacks' own scripts/master-db.
 */
export async function cloneMasterDatabase(
  db: string,
  dataDir: string,
): Promise<{ built: boolean }> {
  const src = odooSrc();
  const fingerprint = createHash('sha256')
    .update(`${MODULES}\n${await addonFingerprint(path.join(ADDONS_DIR, 'saas_master'), src)}`)
    .digest('hex')
    .slice(0, 16);
  const template = `${TEMPLATE_PREFIX}${fingerprint}`;
  const templateDir = path.join(TEMPLATE_ROOT, template);
  const ready = path.join(templateDir, 'ready');
  const admin = await connect('postgres');
  let built = false;
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [BUILD_LOCK]);
    await dropStale(admin, template);
    if (!((await exists(admin, template)) && (await isFile(ready)))) {
      await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      await rm(templateDir, { recursive: true, force: true });
      await mkdir(templateDir, { recursive: true });
      await odooBin(templateDir, ['-d', template, '-i', MODULES, '--stop-after-init', '--no-http']);
      // nothing may hold a connection to a template, or cloning it fails
      await admin.query(`ALTER DATABASE ${template} WITH ALLOW_CONNECTIONS false`);
      await writeFile(ready, `${new Date().toISOString()}\n`);
      built = true;
    }
    await utimes(ready, new Date(), new Date());
    await admin.query(`CREATE DATABASE ${db} TEMPLATE ${template}`);
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [BUILD_LOCK]).catch(() => undefined);
    await admin.end();
  }
  const filestore = path.join(templateDir, 'filestore', template);
  if (await isDir(filestore)) {
    // hard links, not copies (seconds for its ~800 files): Odoo never rewrites a filestore file,
    // it writes new ones named by their checksum; both dirs live under TEMPLATE_ROOT, one filesystem
    await mkdir(path.join(dataDir, 'filestore'), { recursive: true });
    await run('cp', ['-al', filestore, path.join(dataDir, 'filestore', db)]);
  }
  return { built };
}

export async function dropMasterDatabase(db: string, dataDir: string): Promise<void> {
  const client = await connect('postgres');
  await client.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).finally(() => client.end());
  await rm(dataDir, { recursive: true, force: true });
}

/** A running master Odoo 17 with the bridge user and the admin under fresh random credentials. */
export async function startMasterOdoo(): Promise<MasterOdoo> {
  const t0 = Date.now();
  const db = `${RUN_PREFIX}${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dataDir = path.join(RUNS_DIR, db);
  await mkdir(dataDir, { recursive: true });
  const bridge = credentials('saas_bridge');
  const admin = credentials('admin');
  const [port, geventPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const conf = await writeConf(dataDir, {
    dbfilter: `^${db}$`,
    http_port: port,
    gevent_port: geventPort,
    http_interface: '127.0.0.1',
  });
  // started first, so Python loads while the database is cloned; no db_name in its config, or it
  // would create an empty one of that name. The first login loads the registry.
  const odoo = spawn(PYTHON, [path.join(odooSrc(), 'odoo-bin'), '-c', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  odoo.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = once(odoo, 'exit');
  const kill = async () => {
    process.off('exit', orphanGuard);
    // nothing of this server outlives the run (its database is dropped next): no graceful stop
    if (odoo.exitCode === null && odoo.signalCode === null) {
      odoo.kill('SIGKILL');
      await exited;
    }
  };
  const orphanGuard = () => odoo.kill('SIGKILL');
  process.once('exit', orphanGuard);
  try {
    const { built } = await cloneMasterDatabase(db, dataDir);
    const t1 = Date.now();
    await setUp(db, [bridge, admin]);
    const uid = await waitFor('the master Odoo to answer a login', 120_000, async () => {
      if (odoo.exitCode !== null) throw new Error(`odoo-bin exited ${odoo.exitCode}: ${stderr}`);
      return authenticate(url, db, admin.login, admin.apiKey);
    });
    // an answer that is no uid is a refusal: waiting longer would not change it
    if (uid === false) throw new Error(`the master refused its admin's fresh API key: ${stderr}`);
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    return {
      url,
      db,
      bridge,
      admin,
      figures:
        `master Odoo: template ${built ? 'built' : 'reused'}, clone ${seconds(t1 - t0)}, ` +
        `up ${seconds(Date.now() - t1)} later`,
      async stop() {
        await kill();
        await dropMasterDatabase(db, dataDir);
      },
    };
  } catch (err) {
    await kill();
    await dropMasterDatabase(db, dataDir);
    throw err;
  }
}

function credentials(login: string): Credentials {
  return {
    login,
    password: randomBytes(18).toString('base64url'),
    apiKey: randomBytes(20).toString('hex'), // Odoo's own key shape: 40 hex digits
  };
}

function odooSrc(): string {
  const src = process.env.ODOO_SRC;
  if (!src) throw new Error('ODOO_SRC is not set');
  return src;
}

function dbPassword(): string {
  const password = process.env.ODOO_MASTER_DB_PASSWORD;
  if (!password) throw new Error(`ODOO_MASTER_DB_PASSWORD (the ${DB_ROLE} role's) is not set`);
  return password;
}

async function connect(database: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: 5432,
    user: DB_ROLE,
    password: dbPassword(),
    database,
    connectionTimeoutMillis: 5_000,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function exists(client: pg.Client, db: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
  return rowCount === 1;
}

/** what crashed runs left behind (clones, data dirs), and templates of addons untested for days */
async function dropStale(client: pg.Client, current: string): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE '${RUN_PREFIX}%' OR datname LIKE '${TEMPLATE_PREFIX}%'`,
  );
  const runDirs = (await readdir(RUNS_DIR).catch(() => [])).filter((d) => d.startsWith(RUN_PREFIX));
  for (const name of new Set([...rows.map((r) => r.datname), ...runDirs])) {
    let stale: boolean;
    if (name.startsWith(RUN_PREFIX)) {
      const born = parseInt(name.slice(RUN_PREFIX.length).split('_')[0] ?? '', 36);
      stale = !(Date.now() - born < STALE_RUN_MS);
    } else {
      const used = await stat(path.join(TEMPLATE_ROOT, name, 'ready')).catch(() => undefined);
      stale = name !== current && !(used && Date.now() - used.mtimeMs < STALE_TEMPLATE_MS);
    }
    if (!stale) continue;
    if (/^\w+$/.test(name)) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const dir = name.startsWith(RUN_PREFIX) ? RUNS_DIR : TEMPLATE_ROOT;
    await rm(path.join(dir, name), { recursive: true, force: true });
  }
}

/**
 * What the stack's master_setup.py does that RPC tests need, in SQL: the clone gets its own uuid
 * and secret (nothing may take two runs for one master); the users are active, with a fresh
 * password and API key stored as Odoo stores them (passlib pbkdf2-sha512, the key indexed by its
 * first 8 digits).
 */
async function setUp(db: string, users: Credentials[]): Promise<void> {
  const client = await connect(db);
  try {
    await client.query(
      `UPDATE ir_config_parameter SET value = gen_random_uuid()::text
        WHERE key IN ('database.uuid', 'database.secret')`,
    );
    for (const user of users) {
      const { rowCount } = await client.query(
        'UPDATE res_users SET password = $2, active = true WHERE login = $1',
        [user.login, pbkdf2Hash(user.password, 25_000)],
      );
      if (rowCount !== 1) throw new Error(`the master template has no user "${user.login}"`);
      await client.query(
        `INSERT INTO res_users_apikeys (name, user_id, scope, index, key)
         SELECT 'integration tests', id, NULL, $2, $3 FROM res_users WHERE login = $1`,
        [user.login, user.apiKey.slice(0, 8), pbkdf2Hash(user.apiKey, 6_000)],
      );
    }
  } finally {
    await client.end();
  }
}

function pbkdf2Hash(secret: string, rounds: number): string {
  const salt = randomBytes(16);
  const ab64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '').replaceAll('+', '.');
  const key = pbkdf2Sync(secret, salt, rounds, 64, 'sha512');
  return `$pbkdf2-sha512$${rounds}$${ab64(salt)}$${ab64(key)}`;
}

/** the stack's odoo-master.conf for one data dir, without cron, so nothing leaves the run */
async function writeConf(
  dataDir: string,
  overrides: Record<string, string | number>,
): Promise<string> {
  const file = path.join(dataDir, 'odoo.conf');
  const options = {
    addons_path: `${path.join(odooSrc(), 'addons')},${ADDONS_DIR}`,
    data_dir: dataDir,
    db_host: '127.0.0.1',
    db_port: 5432,
    db_user: DB_ROLE,
    db_password: dbPassword(),
    list_db: 'False',
    workers: 0,
    max_cron_threads: 0,
    without_demo: 'all',
    log_level: 'warn',
    ...overrides,
  };
  const lines = Object.entries(options).map(([key, value]) => `${key} = ${value}`);
  await writeFile(file, `[options]\n${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** odoo-bin on the template's own data dir, its log kept there and quoted when it fails */
async function odooBin(dataDir: string, args: string[]): Promise<void> {
  const conf = await writeConf(dataDir, { log_level: 'info' });
  const logFile = path.join(dataDir, 'build.log');
  const log = await open(logFile, 'w');
  try {
    const child = spawn(PYTHON, [path.join(odooSrc(), 'odoo-bin'), '-c', conf, ...args], {
      stdio: ['ignore', log.fd, log.fd],
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) {
      const tail = (await readFile(logFile, 'utf8')).split('\n').slice(-30).join('\n');
      throw new Error(`odoo-bin ${args.join(' ')} exited ${code}:\n${tail}`);
    }
  } finally {
    await log.close();
    await rm(conf); // it holds the role's password, and templates are kept
  }
}

async function authenticate(
  url: string,
  db: string,
  login: string,
  secret: string,
): Promise<number | false> {
  const response = await fetch(`${url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'call',
      params: {
        service: 'common',
        method: 'authenticate',
        args: [db, login, secret, {}],
      },
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const answer = (await response.json()) as {
    result?: number | false;
    error?: { message?: string };
  };
  if (answer.error) throw new Error(`authenticate: ${answer.error.message ?? 'Odoo error'}`);
  return answer.result ?? false;
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}

async function isDir(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => undefined))?.isDirectory() ?? false;
}

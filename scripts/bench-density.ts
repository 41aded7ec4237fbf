/**
 * Density benchmark (docs/capacity.md): N Basic tenants started at once from the Basic template,
 * with the container spec, pool sizing and role limit the bridge uses, and what they take:
 * PostgreSQL connections per tenant while it boots, idle and under load, the connections of the master
 * and of the bridge, host memory, and whether PostgreSQL refused anyone (its log). Heavy: run it under
 * the machine's lock, never in README's test command. It removes what it made unless --keep.
 *
 * Usage: flock -o /tmp/saas-heavy.lock npm run bench:density -- --tenants 10 [--unsized] [--keep]
 *   --then '<command>': run a command while the tenants are up (e.g. `npm run bench -- --orders 1
 *   --burst 20`: a burst of real orders through a master and a bridge on top of the running ones), then
 *   measure PostgreSQL again and remove the tenants
 *   --unsized: Odoo's own defaults (pool of 64, no role limit): the "before" figures
 *   --awake M: at the end, stop all but M of them (as hibernation leaves a sleeping tenant: container
 *   stopped, database and filestore kept), measure host memory with N provisioned / M awake, time one
 *   of them started again, and write artifacts/bench/density.json (npm run bench reports it)
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { DockerAdapter } from '../src/adapters/docker.adapter.js';
import { FilestoreAdapter } from '../src/adapters/filestore.adapter.js';
import { PostgresAdapter } from '../src/adapters/postgres.adapter.js';
import { loadConfig } from '../src/config.js';
import {
  tenantContainerSpec,
  tenantOdooConfig,
} from '../src/services/provisioning/container.step.js';
import { strongPassword } from '../src/services/secrets.js';
import { TenantIdentity } from '../src/services/tenant-identity.js';
import { MANAGED_LABEL, ODOO_HTTP_PORT } from '../src/services/tenant-runtime.js';
import { DEFAULT_DB_MAXCONN, tenantSizing } from '../src/services/tenant-sizing.js';
import { writeDensity } from '../test/bench/report.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '..');
const OWNER = 'density-bench';

const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '4' },
    // stop starting tenants after this long (the machine may not reach --tenants in time)
    'max-seconds': { type: 'string', default: '0' },
    // then this many more at once, on top of the running ones: time until all answer
    burst: { type: 'string', default: '0' },
    template: { type: 'string' },
    unsized: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    then: { type: 'string' },
    awake: { type: 'string' },
    'pg-log': { type: 'string', default: '/var/log/postgresql/postgresql-15-main.log' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    "usage: flock -o /tmp/saas-heavy.lock npm run bench:density -- [--tenants 10] [--concurrency 4] [--template tmpl_basic_x] [--unsized] [--keep] [--then '<command>'] [--awake M]",
  );
  process.exit(0);
}
const count = Number(values.tenants);
const maxSeconds = Number(values['max-seconds']);
const burst = Number(values.burst);
const concurrency = Number(values.concurrency);
const awakeWanted = values.awake === undefined ? undefined : Number(values.awake);
if (awakeWanted !== undefined && (!Number.isInteger(awakeWanted) || awakeWanted < 0)) {
  console.error('bench:density: --awake must be a whole number (the tenants left running)');
  process.exit(2);
}
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error('bench:density: --tenants and --concurrency must be positive integers');
  process.exit(2);
}

// --then's command reads .env itself: it gets the environment this bench was started with
const startEnv = { ...process.env };
for (const line of readFileSync(path.join(REPO, '.env'), 'utf8').split('\n')) {
  const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
  // a quoted value ("25 465 587 443") is the text inside its quotes, as shells read it
  if (m?.[1] && process.env[m[1]] === undefined)
    process.env[m[1]] = (m[2] ?? '').replace(/^"(.*)"$/, '$1');
}
const config = loadConfig(process.env);
const docker = new DockerAdapter(config.docker.socketPath);
const db = new PostgresAdapter(config.postgres.adminUrl);
const filestore = new FilestoreAdapter(config.docker.dataDir, config.docker.uid);
const identity = new TenantIdentity({
  owner: OWNER,
  baseDomain: 'density.invalid',
  bridgeSecret: randomBytes(32).toString('hex'),
});
// one client of its own for sampling, so the bench's clones do not queue behind it
const sampler = new pg.Client({ connectionString: config.postgres.adminUrl });
await sampler.connect();

const plan = {
  workers: 0,
  memoryMb: 2048,
  cpuLimit: 1,
  dbMaxconn: values.unsized ? 64 : DEFAULT_DB_MAXCONN,
};
const log = (msg: string) => console.log(`bench:density: ${msg}`);

async function basicTemplate(): Promise<string> {
  if (values.template) return values.template;
  const { rows } = await sampler.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'tmpl\\_basic\\_%'
      ORDER BY (pg_stat_file('base/' || oid || '/PG_VERSION')).modification DESC`,
  );
  const found = rows
    .map((r) => r.datname)
    .find((n) => filestore.dataDirOf(n) && existsSync(filestore.dataDirOf(n)));
  if (!found)
    throw new Error(
      'no Basic template (tmpl_basic_*) with a data dir: run a stack or npm run bench once',
    );
  return found;
}

/** client backends per role now */
async function perRole(): Promise<Map<string, number>> {
  const { rows } = await sampler.query<{ usename: string | null; n: number }>(
    `SELECT usename, count(*)::int AS n FROM pg_stat_activity
      WHERE backend_type = 'client backend' GROUP BY usename`,
  );
  return new Map(rows.map((r) => [r.usename ?? '', r.n]));
}

const peaks = new Map<string, number>();
let samplerBusy = false;
const sampling = setInterval(() => {
  if (samplerBusy) return;
  samplerBusy = true;
  perRole()
    .then((m) => m.forEach((n, role) => peaks.set(role, Math.max(peaks.get(role) ?? 0, n))))
    .catch(() => undefined)
    .finally(() => (samplerBusy = false));
}, 250);

function meminfo(): { totalMb: number; usedMb: number } {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return {
    totalMb: Math.round(kb('MemTotal') / 1024),
    usedMb: Math.round((kb('MemTotal') - kb('MemAvailable')) / 1024),
  };
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/web/login`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer /web/login within ${timeoutMs / 1000} s`);
}

interface Tenant {
  db: string;
  container: string;
  url?: string;
  bootPeak?: number;
  bootSeconds?: number;
}

const template = await basicTemplate();
const { gateway } = await docker.ensureNetwork(config.docker.network, config.docker.subnet);
const runtime = {
  image: config.docker.image,
  odooSrc: config.docker.odooSrc,
  addonsPath: config.docker.addonsPath,
  saasAddonsDir: path.resolve(config.docker.saasAddonsDir),
  network: config.docker.network,
  dbHost: config.postgres.tenantHost ?? gateway,
  dbPort: config.postgres.tenantPort,
};
const pgLogStart = existsSync(values['pg-log']) ? statSync(values['pg-log']).size : 0;
const memBefore = meminfo();
const before = await perRole();
const runId = randomBytes(3).toString('hex');
const tenants: Tenant[] = Array.from({ length: count + burst }, (_, i) => {
  const ref = `tdn${runId}${String(i).padStart(3, '0')}`;
  return { db: `tenant_${ref}`, container: `saas-density-${ref}` };
});

async function startOne(t: Tenant, index: number): Promise<void> {
  const password = strongPassword(32);
  const sizing = tenantSizing(plan);
  await db.ensureRole(
    t.db,
    password,
    `${OWNER} ${runId}`,
    values.unsized ? undefined : sizing.connectionLimit,
  );
  await db.cloneDatabase(t.db, template, t.db, config.postgres.templateUser);
  await db.resetOdooIdentity(t.db, await identity.bridgeAccess(t.db));
  await filestore.cloneFrom(template, t.db);
  await filestore.writeOdooConfig(t.db, await tenantOdooConfig());
  const spec = tenantContainerSpec(runtime, {
    name: t.container,
    db: t.db,
    password,
    dataDir: filestore.dataDirOf(t.db),
    labels: {
      [MANAGED_LABEL]: 'true',
      'saas.owner': OWNER,
      'saas.plan': 'basic',
      'saas.density': runId,
    },
    plan,
  });
  if (values.unsized) {
    spec.cmd = spec.cmd.filter((a) => !/^--(db_maxconn|limit-memory)/.test(a));
    spec.env = (spec.env ?? []).filter((e) => !e.startsWith('ODOO_MAX_HTTP_THREADS'));
  }
  const started = Date.now();
  await docker.createContainer(spec);
  const info = await docker.startContainer(t.container);
  t.url = `http://${info.ip}:${ODOO_HTTP_PORT}`;
  // the boot peak of this role: sampled while it starts (other tenants' roles are their own)
  await waitReady(t.url, 400_000);
  t.bootSeconds = (Date.now() - started) / 1000;
  t.bootPeak = peaks.get(t.db) ?? 0;
  if ((index + 1) % 10 === 0 || index + 1 === count)
    log(`${index + 1}/${count} answering (last boot ${t.bootSeconds.toFixed(1)} s)`);
}

function answers(t: Tenant): Promise<boolean> {
  return fetch(`${t.url}/web/login`, { signal: AbortSignal.timeout(20_000) })
    .then((r) => r.status === 200)
    .catch(() => false);
}

async function loadOne(t: Tenant, seconds: number): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let errors = 0;
  const worker = async () => {
    while (Date.now() < until) {
      for (const p of ['/web/login', '/web/webclient/version_info']) {
        const res = await fetch(`${t.url}${p}`, {
          method: p.endsWith('version_info') ? 'POST' : 'GET',
          headers: { 'Content-Type': 'application/json' },
          body: p.endsWith('version_info') ? '{"jsonrpc":"2.0","params":{}}' : undefined,
        }).catch(() => undefined);
        if (!res || res.status >= 500) errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return errors;
}

/**
 * N provisioned, M awake: the others stopped as hibernation stops a sleeping tenant (the bridge's
 * own path is measured by npm run bench's wake step; this is the memory side, at scale).
 */
async function hibernateAllBut(
  up: Tenant[],
  awake: number,
  beforeMb: number,
  allAwakeMb: number,
): Promise<string> {
  const sleeping = up.slice(awake);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let t = sleeping[next++]; t; t = sleeping[next++])
        await docker.stopContainer(t.container).catch(() => undefined);
    }),
  );
  // the kernel hands the stopped tenants' pages back at once; PostgreSQL's backends end with them
  await new Promise((r) => setTimeout(r, 15_000));
  const used = meminfo().usedMb;
  const woken = sleeping[0];
  let wakeS = Number.NaN;
  if (woken) {
    const w0 = Date.now();
    const info = await docker.startContainer(woken.container);
    await waitReady(`http://${info.ip}:${ODOO_HTTP_PORT}`, 120_000);
    wakeS = (Date.now() - w0) / 1000;
  }
  const file = writeDensity(path.join(REPO, 'artifacts', 'bench'), {
    provisioned: up.length,
    awake,
    host_used_mib: used,
    host_used_all_awake_mib: allAwakeMb,
    host_used_before_mib: beforeMb,
    wake_s: Math.round(wakeS * 100) / 100,
    at: new Date().toISOString(),
  });
  const perAwake = up.length > awake ? (allAwakeMb - used) / (up.length - awake) : 0;
  return (
    `${up.length} provisioned, ${awake} awake: host used ${used} MiB (all awake ${allAwakeMb}, none ${beforeMb}; ` +
    `${perAwake.toFixed(0)} MiB per awake tenant); one started again -> 200 in ${wakeS.toFixed(1)} s; wrote ${file}`
  );
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const t0 = Date.now();
let failed = 0;
try {
  log(
    `${count} Basic tenants from ${template}, ${concurrency} at a time, pool ${values.unsized ? "Odoo's default (64)" : plan.dbMaxconn}`,
  );
  let next = 0;
  const deadline = maxSeconds > 0 ? t0 + maxSeconds * 1000 : Infinity;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && Date.now() < deadline) {
        const i = next++;
        const t = tenants[i];
        if (!t) break;
        await startOne(t, i).catch((err: unknown) => {
          failed += 1;
          log(`tenant ${t.db} failed: ${err instanceof Error ? err.message : String(err)}`);
        });
      }
    }),
  );
  const startSeconds = (Date.now() - t0) / 1000;
  const up = tenants.filter((t) => t.bootSeconds !== undefined);
  const attempted = next;
  log(`${up.length}/${count} answering after ${startSeconds.toFixed(0)} s; settling 20 s`);
  // every tenant visited once (a login page), then left alone
  await Promise.all(up.map((t) => fetch(`${t.url}/web/login`).catch(() => undefined)));
  await new Promise((r) => setTimeout(r, 20_000));
  const idle = await perRole();
  const idleCounts = up.map((t) => idle.get(t.db) ?? 0);
  peaks.clear();
  const loaded = up.slice(0, 3);
  const loadErrors = sum(await Promise.all(loaded.map((t) => loadOne(t, 10))));
  const loadPeaks = loaded.map((t) => peaks.get(t.db) ?? 0);
  const answering = (await Promise.all(up.map((t) => answers(t)))).filter(Boolean).length;
  const memAfter = meminfo();
  const stats = await run(config.docker.socketPath ? '/usr/bin/docker' : 'docker', [
    'stats',
    '--no-stream',
    '--format',
    '{{.Name}} {{.MemUsage}}',
  ]);
  const mems = stats.stdout
    .split('\n')
    .filter((l) => l.startsWith('saas-density-') && l.includes(runId))
    .map((l) => {
      const m = /\s([\d.]+)(MiB|GiB)/.exec(l);
      return m ? Number(m[1]) * (m[2] === 'GiB' ? 1024 : 1) : 0;
    });
  let burstLine = '';
  if (burst > 0) {
    const wave = tenants.slice(count, count + burst);
    const b0 = Date.now();
    const failedBefore = failed;
    await Promise.all(
      wave.map((t, i) =>
        startOne(t, count + i).catch((err: unknown) => {
          failed += 1;
          log(`burst tenant ${t.db} failed: ${err instanceof Error ? err.message : String(err)}`);
        }),
      ),
    );
    const burstUp = wave.filter((t) => t.bootSeconds !== undefined).length;
    burstLine = `burst of ${burst} on top of ${up.length}: ${burstUp} answering, ${failed - failedBefore} errors, ${((Date.now() - b0) / 1000).toFixed(0)} s`;
    log(burstLine);
  }
  let thenLine = '';
  if (values.then) {
    log(`running on top of the ${up.length} tenants: ${values.then}`);
    const c0 = Date.now();
    const code = await new Promise<number>((resolve) => {
      const child = spawn('sh', ['-c', values.then ?? ''], {
        stdio: 'inherit',
        cwd: REPO,
        env: startEnv,
      });
      child.on('exit', (status) => resolve(status ?? 1));
      child.on('error', () => resolve(1));
    });
    const still = (await Promise.all(up.map((t) => answers(t)))).filter(Boolean).length;
    thenLine = `--then exited ${code} after ${((Date.now() - c0) / 1000).toFixed(0)} s, ${still}/${up.length} bench tenants still answering`;
    log(thenLine);
    if (code !== 0) failed += 1;
  }
  const server = await db.connectionStats();
  const pgLog = existsSync(values['pg-log'])
    ? readFileSync(values['pg-log'], 'utf8').slice(pgLogStart)
    : '';
  const refused = (
    pgLog.match(/too many clients|remaining connection slots|too many connections for role/g) ?? []
  ).length;
  const avg = (xs: number[]) => (xs.length ? sum(xs) / xs.length : 0);
  log(`boot: ${avg(up.map((t) => t.bootSeconds ?? 0)).toFixed(1)} s per tenant on average`);
  log(
    `connections per tenant: boot peak max ${Math.max(0, ...up.map((t) => t.bootPeak ?? 0))}, ` +
      `idle mean ${avg(idleCounts).toFixed(1)} (max ${Math.max(0, ...idleCounts)}), ` +
      `under load (16 clients, 10 s) peak ${Math.max(0, ...loadPeaks)} (${loadErrors} 5xx/refused)`,
  );
  log(
    `connections of the master (odoo_master): ${idle.get('odoo_master') ?? 0} now (before ${before.get('odoo_master') ?? 0}); ` +
      `of the bridge role (${new URL(config.postgres.adminUrl).username}, this bench's own included): ${idle.get(new URL(config.postgres.adminUrl).username) ?? 0}`,
  );
  log(
    `PostgreSQL: ${server.inUse} of ${server.maxConnections} connections in use at the end (${server.reserved} reserved); refused in its log: ${refused}`,
  );
  log(
    `memory: tenants ${Math.round(sum(mems))} MiB (${avg(mems).toFixed(0)} MiB each), host used ${memBefore.usedMb} -> ${memAfter.usedMb} MiB of ${memAfter.totalMb}`,
  );
  let sleepLine = '';
  if (awakeWanted !== undefined && up.length > awakeWanted) {
    sleepLine = await hibernateAllBut(up, awakeWanted, memBefore.usedMb, memAfter.usedMb);
    log(sleepLine);
  }
  console.log(
    `density: ${answering}/${attempted} answering (of ${count} asked), ${failed} failed, idle ${avg(idleCounts).toFixed(1)} conn/tenant, ` +
      `pg ${server.inUse}/${server.maxConnections} in use, refused ${refused}, host +${memAfter.usedMb - memBefore.usedMb} MiB, start ${startSeconds.toFixed(0)} s` +
      (burstLine ? `; ${burstLine}` : '') +
      (thenLine ? `; ${thenLine}` : '') +
      (sleepLine ? `; ${sleepLine}` : ''),
  );
} finally {
  clearInterval(sampling);
  if (!values.keep) {
    log('removing the bench tenants');
    for (const t of tenants) {
      await docker.removeContainer(t.container).catch(() => undefined);
      await db.dropDatabase(t.db).catch(() => undefined);
      await db.dropRole(t.db).catch(() => undefined);
      await filestore.remove(t.db).catch(() => undefined);
    }
  }
  await sampler.end();
  await db.close();
}

/**
 * Benchmark, side by side in one run on a stack of its own (STACK_PROFILE=bench): order confirmed ->
 * tenant /web/login 200 through the proxy and -> welcome mail, for the naive path (a fresh `-i` install
 * per tenant, what most peers do: TENANT_DB_SOURCE=fresh) and the template path (today's clone); a burst of
 * orders confirmed at once; the warm-spare path (the bridge restarted with WARM_SPARES=basic=1: each
 * order takes a booted spare); an idle tenant's memory before and after a browser login. Prints a markdown
 * table and writes artifacts/bench/bench.json. Removes the tenants it made.
 *   npm run bench [-- --orders 5 --burst 20 --keep]
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import type { BenchResult, PathResult } from '../test/bench/report.js';

process.env.STACK_PROFILE = 'bench';
const { E2E, REPO, docker, dotenv, stack, stackEnv } = await import('../test/e2e/support/stack.js');
const { MasterRpc } = await import('../test/e2e/support/master-rpc.js');
const orders = await import('../test/e2e/support/orders.js');
const { retireTenants } = await import('../test/e2e/support/retire.js');
const probes = await import('../test/bench/probes.js');
const { medianSteps, summarize } = await import('../test/bench/stats.js');
const report = await import('../test/bench/report.js');
const { browserLogin, credentialsFromMail } = await import('../test/bench/tenant-login.js');
const { measureWakes } = await import('../test/bench/wake.js');
const { untilTemplatesWarm } = await import('../test/bench/templates-warm.js');

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '5' },
    burst: { type: 'string', default: '20' },
    // how long one order may take to answer; a burst on top of 120 tenants on 2 cores needs ~6 min
    'wait-seconds': { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: npm run bench [-- --orders 5 --burst 20 --wait-seconds 300 --keep]   (needs ODOO_SRC or /opt/odoo17)',
  );
  process.exit(0);
}
const count = Number(values.orders);
const burstSize = Number(values.burst);
const waitMs = Number(values['wait-seconds']) * 1000;
if (
  !Number.isInteger(count) ||
  count < 1 ||
  !Number.isInteger(burstSize) ||
  burstSize < 0 ||
  !(waitMs > 0)
) {
  console.error(
    'bench: --orders must be a whole number >= 1, --burst >= 0 and --wait-seconds above 0',
  );
  process.exit(2);
}

type Rpc = InstanceType<typeof MasterRpc>;
const mailDir = path.join(E2E.stackDir, 'mail');
const bridgeLog = path.join(E2E.stackDir, 'logs', 'bridge.log');
const created: string[] = [];
const tenantUrl = (sub: string) => `http://${sub}.localhost:${E2E.caddyPort}`;

interface Provisioned {
  sub: string;
  seconds: number;
  mailSeconds: number;
}

async function untilAnswering(rpc: Rpc, orderId: number, sub: string): Promise<void> {
  await orders.waitFor(`tenant ${sub} through the proxy`, waitMs, async () => {
    if ((await orders.statusThroughProxy(`${sub}.localhost`, E2E.caddyPort)) === 200) return true;
    const instance = await orders.instanceOfOrder(rpc, orderId);
    if (instance?.state === 'error')
      throw new Error(`instance ${sub} failed: ${instance.last_error}`);
    return undefined;
  });
}

async function provisionOne(rpc: Rpc, label: string): Promise<Provisioned> {
  const sub = orders.uniqueSubdomain(label);
  created.push(sub);
  const orderId = await orders.draftOrder(rpc, 'basic', sub);
  const t0 = Date.now();
  await orders.confirmOrder(rpc, orderId);
  await untilAnswering(rpc, orderId, sub);
  const seconds = (Date.now() - t0) / 1000;
  const mailAt = await orders.waitFor(`welcome mail for ${sub}`, 120_000, async () =>
    probes.mailArrival(mailDir, `${sub}@example.com`, t0),
  );
  return { sub, seconds, mailSeconds: (mailAt - t0) / 1000 };
}

async function runPath(
  rpc: Rpc,
  label: string,
  beforeEach: (i: number) => Promise<void> = async () => undefined,
): Promise<PathResult> {
  const runs: Provisioned[] = [];
  for (let i = 1; i <= count; i += 1) {
    await beforeEach(i);
    const one = await provisionOne(rpc, label);
    runs.push(one);
    console.log(
      `bench: ${label} ${i}/${count}: -> 200 in ${one.seconds.toFixed(2)} s, -> mail in ${one.mailSeconds.toFixed(2)} s (${one.sub})`,
    );
  }
  const steps = runs.map((r) => probes.stepsOf(bridgeLog, r.sub) ?? {});
  return {
    ...summarize(runs.map((r) => r.seconds)),
    mail_p50_s: summarize(runs.map((r) => r.mailSeconds)).p50_s,
    steps_ms: medianSteps(steps),
  };
}

/** warm spares the bridge has made so far (its log says so once each is booted) */
async function sparesMade(): Promise<number> {
  const text = await readFile(bridgeLog, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.includes('"msg":"warm spare ready"')).length;
}

/**
 * The warm path: the bridge keeps one Basic spare; each order waits until the spare made after the
 * previous order is booted (as a real shop would between orders), then takes it.
 */
async function runWarmPath(rpc: Rpc): Promise<PathResult> {
  const base = await sparesMade();
  process.env.WARM_SPARES = 'basic=1';
  await stack('up', '--no-setup');
  try {
    return await runPath(rpc, 'warm', async (i) => {
      await orders.waitFor(`warm spare ${i} booted`, 300_000, async () =>
        (await sparesMade()) >= base + i ? true : undefined,
      );
    });
  } finally {
    process.env.WARM_SPARES = 'off';
  }
}

async function bridgePid(): Promise<number> {
  const { stdout } = await promisify(execFile)(
    path.join(REPO, 'scripts/stack'),
    ['pid', 'bridge'],
    {
      env: stackEnv(),
    },
  );
  return Number(stdout.trim().split('\n').at(-1));
}

async function burst(rpc: Rpc, adminUrl: string): Promise<BenchResult['burst']> {
  const subs = Array.from({ length: burstSize }, (_, i) => orders.uniqueSubdomain(`burst${i}x`));
  created.push(...subs);
  const ids = await Promise.all(subs.map((sub) => orders.draftOrder(rpc, 'basic', sub)));
  const pid = await bridgePid();
  const rss = probes.peakOf(async () => probes.rssMib(pid));
  const conns = probes.peakOf(() => probes.pgConnections(adminUrl), 1000);
  const t0 = Date.now();
  await Promise.all(ids.map((id) => orders.confirmOrder(rpc, id)));
  const outcomes = await Promise.allSettled(
    ids.map((id, i) => untilAnswering(rpc, id, subs[i] ?? '')),
  );
  const allRunning = (Date.now() - t0) / 1000;
  const failures = outcomes.filter((o) => o.status === 'rejected');
  for (const f of failures) console.log(`bench: burst failure: ${String(f.reason)}`);
  return {
    orders: burstSize,
    all_running_s: Math.round(allRunning * 10) / 10,
    failures: failures.length,
    peak_bridge_rss_mib: Math.round(await rss.stop()),
    peak_pg_connections: await conns.stop(),
  };
}

async function idleMemory(sub: string): Promise<{ before: number; after: number }> {
  const id = (
    await docker(
      'ps',
      '-q',
      '--filter',
      `label=saas.subdomain=${sub}`,
      '--filter',
      'status=running',
    )
  ).split('\n')[0];
  if (!id) throw new Error(`no running container for ${sub}`);
  const settle = () => new Promise((r) => setTimeout(r, 5_000));
  await settle();
  const before = await probes.containerMib('/usr/bin/docker', id);
  await browserLogin(tenantUrl(sub), credentialsFromMail(mailDir, `${sub}@example.com`));
  await settle();
  const after = await probes.containerMib('/usr/bin/docker', id);
  return { before: Math.round(before), after: Math.round(after) };
}

let rpcForCleanUp: Rpc | undefined;
try {
  console.log(`bench: bringing up the bench stack in ${E2E.stackDir}`);
  process.env.TENANT_DB_SOURCE = 'template';
  // the template path is measured without spares (one would take the first order)
  process.env.WARM_SPARES = 'off';
  await stack('up');
  const env = dotenv();
  const rpc = new MasterRpc(
    `http://127.0.0.1:${E2E.odooPort}`,
    E2E.masterDb,
    'admin',
    env.MASTER_ADMIN_PASSWORD ?? '',
  );
  rpcForCleanUp = rpc;
  const adminUrl = process.env.PG_ADMIN_URL ?? env.PG_ADMIN_URL ?? '';

  console.log('bench: warm-up order (builds the Basic template if needed; not counted)');
  const warm = await provisionOne(rpc, 'benchw');
  console.log(`bench: warm-up ${warm.seconds.toFixed(1)} s`);
  // the other plans' templates are built in the background at the bridge's start; not measured
  const redisUrl = `redis://127.0.0.1:${E2E.redisPort}/${E2E.redisDb}`;
  const templatesS = await untilTemplatesWarm(redisUrl, 600_000);
  console.log(`bench: every plan's template built (waited ${templatesS.toFixed(1)} s more)`);

  const template = await runPath(rpc, 'tmpl');
  const templateSubs = created.slice(-count);
  const idle = await idleMemory(created.at(-1) ?? '');
  console.log(`bench: idle tenant ${idle.before} MiB, after a browser login ${idle.after} MiB`);
  const burstResult =
    burstSize > 0
      ? await burst(rpc, adminUrl)
      : {
          orders: 0,
          all_running_s: 0,
          failures: 0,
          peak_bridge_rss_mib: 0,
          peak_pg_connections: 0,
        };
  // hibernation: the template path's tenants put to sleep by the bridge, then woken through the proxy
  console.log('bench: wake: waiting for the template tenants to fall asleep (Basic idle 1 min)');
  const wake = await measureWakes(rpc, templateSubs, E2E.caddyPort).catch((err: unknown) => {
    console.log(`bench: wake not measured: ${String(err)}`);
    return null;
  });
  if (wake) console.log(`bench: wake ${wake.runs_s.map((s) => s.toFixed(2)).join(' ')} s`);
  await retireTenants(rpc, created.splice(0));
  const warmPath = await runWarmPath(rpc);
  // the naive path: the same bridge restarted with TENANT_DB_SOURCE=fresh (only the bridge restarts)
  await retireTenants(rpc, created.splice(0));
  process.env.TENANT_DB_SOURCE = 'fresh';
  await stack('up', '--no-setup');
  const naive = await runPath(rpc, 'naive');

  const result: BenchResult = {
    machine: report.machine(),
    naive,
    template,
    warm: warmPath,
    ratio: {
      naive_over_template: Math.round((naive.p50_s / template.p50_s) * 10) / 10,
      template_over_warm: Math.round((template.p50_s / warmPath.p50_s) * 10) / 10,
    },
    burst: burstResult,
    idle_tenant_mib: idle.after,
    idle_tenant_before_login_mib: idle.before,
    wake: wake && { p50_s: wake.p50_s, p95_s: wake.p95_s, n: wake.n },
    density: report.lastDensity(path.join(REPO, 'artifacts', 'bench')),
  };
  console.log(`\n${report.markdown(result)}\n`);
  console.log(`bench: wrote ${report.writeJson(path.join(REPO, 'artifacts', 'bench'), result)}`);
} finally {
  if (!values.keep) {
    if (rpcForCleanUp) await retireTenants(rpcForCleanUp, created).catch(() => undefined);
    process.env.TENANT_DB_SOURCE = 'template';
    await stack('down').catch(() => undefined);
  }
}

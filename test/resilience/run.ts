/**
 * npm run test:resilience: on a stack of its own (STACK_PROFILE=resilience: own ports, state dir,
 * master database, Redis db), injects faults and checks after each that no instance is lost, none
 * duplicated and no container, database, role or route orphaned; sends hostile input to the intake,
 * the checkout and the portal; probes isolation from inside tenants; greps for the secrets it used.
 * Last line: `resilience: N faults survived, M hostile inputs refused, lost 0, duplicated 0, orphans 0`.
 * RESILIENCE_ONLY=<part of a fault's name> runs only those faults (no isolation, hostile input or
 * secrets sections): to iterate on one fault; the whole suite is what proves anything.
 */
import { format } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX } from '../../src/adapters/job-queue.adapter.js';
import { QUEUES } from '../../src/ports/jobs.port.js';
import { ownerOf, rpcClients } from '../e2e/resilience.js';
import { MailSink } from '../e2e/mail-sink.js';
import { retireTenants } from '../e2e/support/retire.js';
import { E2E, logTail, stack } from '../e2e/support/stack.js';
import { FAULTS, runningTenant, type Fault, type FaultContext } from './faults.js';
import { BRIDGE_FAULTS } from './faults-bridges.js';
import { INFRA_FAULTS } from './faults-infra.js';
import { PG_FAULTS } from './faults-pg.js';
import { hostileCheckout, hostileIntake, hostilePortal, type Outcome } from './hostile.js';
import { isolationFrom } from './isolation.js';
import { ownRedisUrl, startOwnRedis, stopOwnRedis } from './redis.js';
import { unmountSmallDisks } from './small-disk.js';
import { leaks, secretsInUse } from './secrets.js';
import { World, type Tally } from './world.js';

if (process.env.STACK_PROFILE !== 'resilience') {
  console.error('run through `npm run test:resilience` (STACK_PROFILE=resilience)');
  process.exit(2);
}

const output: string[] = [];
function say(...args: unknown[]): void {
  const line = format(...args);
  output.push(line);
  console.log(line);
}

const only = process.env.RESILIENCE_ONLY?.trim().toLowerCase() || undefined;
const ALL_FAULTS = [...FAULTS, ...BRIDGE_FAULTS, ...INFRA_FAULTS, ...PG_FAULTS];
const chosen = only ? ALL_FAULTS.filter((f) => f.name.toLowerCase().includes(only)) : ALL_FAULTS;
if (!chosen.length) {
  console.error(`RESILIENCE_ONLY=${only}: no fault's name contains it`);
  process.exit(2);
}

const started = Date.now();
const sink = new MailSink(E2E.smtpPort);
const failures: string[] = [];
const total: Tally = { lost: [], duplicated: [], orphans: [] };
let survived = 0;
let refused = 0;
let stackStarted = false;
let ctx: FaultContext | undefined;

async function jobCount(redis: Redis): Promise<number> {
  let n = 0;
  for (const name of [QUEUES.instances, QUEUES.backups]) {
    const queue = new Queue(name, { connection: redis, prefix: QUEUE_PREFIX });
    const counts = await queue.getJobCounts();
    n += Object.values(counts).reduce((a, b) => a + b, 0);
    await queue.close();
  }
  return n;
}

function record(what: string, outcome: Outcome): void {
  refused += outcome.refused;
  failures.push(...outcome.failures);
  say(`hostile ${what}: ${outcome.refused} refused, ${outcome.failures.length} not`);
  for (const f of outcome.failures.slice(0, 10)) say(`  NOT REFUSED ${f}`);
}

async function main(): Promise<void> {
  await sink.start();
  await startOwnRedis();
  stackStarted = true;
  await stack('up', '--no-mail-sink');
  const { admin, bridge, secret } = rpcClients();
  const world = new World(admin, await ownerOf(admin));
  ctx = { admin, bridge, secret, world };

  const a = await runningTenant(ctx, 'resa');
  const b = await runningTenant(ctx, 'resb');
  say(
    `resilience: tenants ${a} and ${b} running (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );

  if (!only) await checkIsolation(ctx, a, b);
  for (const fault of chosen) await runFault(ctx, fault);
  if (!only) await hostileAndSecrets(ctx, a);
}

/** isolation first, while both tenants run */
async function checkIsolation(ctx: FaultContext, a: number, b: number): Promise<void> {
  const { admin } = ctx;
  const rows = await admin.searchRead<{ id: number; db_name: string; container_ref: string }>(
    'saas.instance',
    [['id', 'in', [a, b]]],
    ['id', 'db_name', 'container_ref'],
  );
  const ra = rows.find((r) => r.id === a)!;
  const rb = rows.find((r) => r.id === b)!;
  let held = 0;
  for (const [from, to] of [
    [ra, rb],
    [rb, ra],
  ] as const) {
    const result = await isolationFrom(
      from.container_ref,
      { container: to.container_ref, db: to.db_name },
      E2E.masterDb,
    );
    held += result.held;
    failures.push(...result.failures);
    for (const f of result.failures) say(`  ISOLATION BROKEN ${f}`);
  }
  say(`isolation: ${held} checks held from inside 2 tenants`);
}

/** inject, recover, then the world's invariants */
async function runFault(ctx: FaultContext, fault: Fault): Promise<void> {
  const t0 = Date.now();
  try {
    const detail = await fault.run(ctx);
    const tally = await ctx.world.check();
    const broken = [...tally.lost, ...tally.duplicated, ...tally.orphans];
    total.lost.push(...tally.lost);
    total.duplicated.push(...tally.duplicated);
    total.orphans.push(...tally.orphans);
    if (broken.length) throw new Error(`after the fault: ${broken.join('; ')}`);
    survived += 1;
    say(`fault ok   ${fault.name}: ${detail} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  } catch (err) {
    failures.push(`${fault.name}: ${(err as Error).message}`);
    say(`fault FAIL ${fault.name}: ${(err as Error).message}`);
  }
}

async function hostileAndSecrets(ctx: FaultContext, a: number): Promise<void> {
  const { admin, bridge, secret, world } = ctx;
  const redis = new Redis(ownRedisUrl, { maxRetriesPerRequest: null });
  const jobsBefore = await jobCount(redis);
  record('intake', await hostileIntake(secret, a));
  record('checkout', await hostileCheckout(admin, E2E.masterDb));
  record(
    'portal',
    await hostilePortal(admin, [...world.mustRun, ...world.mustBeStopped], E2E.masterDb),
  );
  const jobsAfter = await jobCount(redis);
  await redis.quit();
  if (jobsAfter !== jobsBefore)
    failures.push(`hostile input queued ${jobsAfter - jobsBefore} jobs`);
  const tally = await world.check();
  const broken = [...tally.lost, ...tally.duplicated, ...tally.orphans];
  if (broken.length) failures.push(`after the hostile input: ${broken.join('; ')}`);

  const passwords = await bridge.searchRead<{ initial_password: string | false }>(
    'saas.instance',
    [],
    ['initial_password'],
  );
  const secrets = secretsInUse(
    passwords.flatMap((p) => (p.initial_password ? [p.initial_password] : [])),
  );
  const leaked = await leaks(secrets, output.join('\n'));
  for (const l of leaked) say(`  SECRET LEAKED ${l}`);
  failures.push(...leaked.map((l) => `secret leaked: ${l}`));
  say(
    `secrets: ${secrets.size} secrets grepped in logs, job data and Redis, ${leaked.length} found`,
  );
}

async function cleanup(): Promise<void> {
  await sink.stop().catch(() => undefined);
  if (ctx) {
    const subs = await ctx.admin
      .searchRead<{ subdomain: string }>('saas.instance', [], ['subdomain'])
      .catch(() => []);
    await retireTenants(
      ctx.admin,
      subs.map((s) => s.subdomain),
    ).catch(() => undefined);
  }
  if (stackStarted) await stack('down').catch(() => undefined);
  await unmountSmallDisks();
  await stopOwnRedis().catch(() => undefined);
}

let cleaning: Promise<void> | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // interrupted (e.g. a timeout): the stack and its tenants still go
    console.log(`resilience: ${signal}: cleaning up`);
    cleaning ??= cleanup();
    void cleaning.then(() => process.exit(130));
  });
}

let code = 0;
try {
  await main();
} catch (err) {
  failures.push(`suite error: ${(err as Error).stack ?? String(err)}`);
  console.log((err as Error).stack);
  console.log('--- bridge log ---');
  console.log(logTail('bridge'));
}
cleaning ??= cleanup();
await cleaning;
if (failures.length) {
  code = 1;
  console.log(`resilience: ${failures.length} problems:`);
  for (const f of failures) console.log(`  - ${f}`);
}
console.log(`resilience: whole run ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(
  `resilience: ${survived} faults survived, ${refused} hostile inputs refused, lost ${total.lost.length}, duplicated ${total.duplicated.length}, orphans ${total.orphans.length}`,
);
process.exit(code);

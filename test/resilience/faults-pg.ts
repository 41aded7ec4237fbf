/**
 * Fault 6: PostgreSQL out of connection slots (max_connections reached by others). Near the line, a
 * new order waits visibly (waiting_capacity, the reason naming connections) without making anything,
 * nobody is refused, and once the slots are free it goes on by itself. Past it (the server full for
 * every non-superuser just after the capacity check let a provisioning go), the attempt fails, is
 * retried without being cleaned up into an error, and the tenant runs once room is made.
 */
import * as orders from '../e2e/support/orders.js';
import { bridgeUrl, dotenv, E2E } from '../e2e/support/stack.js';
import { containersOf, waitRunning } from '../e2e/resilience.js';
import {
  bridgeEnviron,
  startSecondBridge,
  supervisorctl,
  type Fault,
  type FaultContext,
} from './faults.js';
import { nothingHalfMade } from './faults-infra.js';
import { psql } from './world.js';
import { pgLogMark, roleConnectionLimit, SlotHolder, slotStats } from './pg-slots.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** the capacity job's period for this fault: its minimum, so a freed host is seen in seconds */
const CHECK_SECONDS = 5;
/** client backends beyond the capacity line, so others' connections closing do not let it go early */
const MARGIN = 3;
/** slots always left to the master, the bridge and psql, whatever the settings */
const KEEP_FREE = 10;
/** how long the bridge waits for a booting tenant in the second case (default 90 s) */
const READY_TIMEOUT_MS = 15_000;
/** never more than this many held by the fault: a server sized far larger is not this test's */
const MOST_HELD = 1500;

/** `during` runs against a substitute of the stack's bridge with `env` on top of its environment */
async function withBridgeEnv<T>(env: Record<string, string>, during: () => Promise<T>): Promise<T> {
  const inherited = bridgeEnviron();
  await supervisorctl('stop', 'bridge');
  let substitute: Awaited<ReturnType<typeof startSecondBridge>> | undefined;
  try {
    substitute = await startSecondBridge(E2E.bridgePort, env, inherited);
    return await during();
  } finally {
    await substitute?.stop();
    await supervisorctl('start', 'bridge');
    await orders.waitFor('the bridge to answer', 60_000, async () =>
      (await fetch(`${bridgeUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined,
    );
  }
}

/** the connection limit of a running Basic tenant's role: what the capacity check asks of one more */
async function basicNeed(ctx: FaultContext): Promise<number> {
  const [probe] = await ctx.admin.searchRead<{ db_name: string | false }>(
    'saas.instance',
    [['id', 'in', [...ctx.world.mustRun]]],
    ['db_name'],
  );
  if (!probe?.db_name) throw new Error('no running Basic tenant to read a role limit from');
  const need = await roleConnectionLimit(probe.db_name);
  if (need <= 0) throw new Error(`tenant role ${probe.db_name} has no connection limit`);
  return need;
}

/**
 * refusals in PostgreSQL's log of the bridge's role (a superuser: the reserved slots are its) or of
 * this stack's master (a dev stack's master beside it may meet the full server as any tenant does)
 */
function refusedOurs(lines: string[]): string[] {
  const admin = new URL(dotenv().PG_ADMIN_URL || 'postgres://saas_admin@x').username;
  return lines.filter(
    (l) => l.includes(` ${admin}@`) || l.includes(` odoo_master@${E2E.masterDb} `),
  );
}

export const PG_FAULTS: Fault[] = [
  {
    name: 'PostgreSQL near max_connections: new orders wait for slots',
    async run(ctx) {
      const spare = Number(bridgeEnviron().CAPACITY_SPARE_CONNECTIONS || 20);
      const need = await basicNeed(ctx);
      const slots = new SlotHolder();
      const log = pgLogMark();
      try {
        return await withBridgeEnv({ CAPACITY_CHECK_SECONDS: String(CHECK_SECONDS) }, async () => {
          const before = await slotStats();
          const open = before.maxConnections - before.reserved;
          // the capacity line: in use + need > max - reserved - spare (src/services/capacity.service.ts)
          const target = open - spare - need + 1 + MARGIN;
          if (target > open - KEEP_FREE || target - before.inUse > MOST_HELD)
            throw new Error(
              `cannot fill PostgreSQL safely: ${before.inUse} of max_connections ${before.maxConnections} in use, the capacity line needs ${target}`,
            );
          await slots.hold(target, MOST_HELD);
          const full = await slotStats();

          const orderId = await orders.draftOrder(
            ctx.admin,
            'basic',
            orders.uniqueSubdomain('pgful'),
          );
          await orders.confirmOrder(ctx.admin, orderId);
          const waiting = await orders.waitFor('the order to wait for slots', 90_000, async () => {
            const row = await orders.instanceOfOrder(ctx.admin, orderId);
            if (row && !['draft', 'waiting_capacity'].includes(row.state))
              throw new Error(`${row.state} with PostgreSQL full: ${row.last_error || ''}`);
            return row?.state === 'waiting_capacity' ? row : undefined;
          });
          // a capacity pass or two while still full: it keeps waiting, nothing is made for it
          await sleep((CHECK_SECONDS * 2 + 1) * 1000);
          const [still] = await ctx.admin.searchRead<{
            state: string;
            capacity_reason: string | false;
          }>('saas.instance', [['id', '=', waiting.id]], ['state', 'capacity_reason']);
          const reason = still?.capacity_reason || '';
          if (still?.state !== 'waiting_capacity')
            throw new Error(`let go while PostgreSQL was still full: ${still?.state}`);
          if (!/connections/.test(reason)) throw new Error(`waiting without the reason: ${reason}`);
          await nothingHalfMade(waiting.id);
          const made = await containersOf(ctx.admin, waiting.id);
          if (made.length) throw new Error(`containers made while waiting: ${made.join(', ')}`);

          const held = slots.held;
          await slots.release();
          const freedAt = Date.now();
          // no admin retry: the capacity job lets it go once the slots are back
          const row = await waitRunning(ctx.admin, orderId, 180_000);
          ctx.world.mustRun.add(row.id);
          const containers = await containersOf(ctx.admin, row.id);
          if (containers.length !== 1) throw new Error(`${containers.length} containers`);
          const refused = log.read();
          if (refused.length)
            throw new Error(`PostgreSQL refused connections: ${refused.slice(0, 3).join(' | ')}`);
          return `${held} idle connections held (${full.inUse} of max_connections ${full.maxConnections} in use) -> waiting_capacity "${reason.slice(0, 90)}", nothing made, nobody refused; released -> running by itself ${((Date.now() - freedAt) / 1000).toFixed(0)} s later, 1 container`;
        });
      } finally {
        await slots.release();
      }
    },
  },
  {
    name: 'PostgreSQL full for tenants while one boots: retried, not cleaned up',
    async run(ctx) {
      const need = await basicNeed(ctx);
      const slots = new SlotHolder();
      const log = pgLogMark();
      // no spare: the capacity check lets one more go with just its role's limit free, then the
      // fault takes those slots too before the tenant's Odoo connects; a short wait for it to answer
      const env = {
        CAPACITY_CHECK_SECONDS: String(CHECK_SECONDS),
        CAPACITY_SPARE_CONNECTIONS: '0',
        TENANT_READY_TIMEOUT_MS: String(READY_TIMEOUT_MS),
      };
      try {
        return await withBridgeEnv(env, async () => {
          const before = await slotStats();
          const open = before.maxConnections - before.reserved;
          const target = open - need - 4;
          if (target - before.inUse > MOST_HELD || target < before.inUse)
            throw new Error(
              `cannot fill PostgreSQL safely: ${before.inUse} of max_connections ${before.maxConnections} in use`,
            );
          await slots.hold(target, MOST_HELD);
          const orderId = await orders.draftOrder(
            ctx.admin,
            'basic',
            orders.uniqueSubdomain('pgrty'),
          );
          await orders.confirmOrder(ctx.admin, orderId);
          const started = await orders.waitFor('the provisioning to start', 60_000, async () => {
            const row = await orders.instanceOfOrder(ctx.admin, orderId);
            // waiting_capacity a moment (others' connections came and went) is fine: it is let go
            if (row?.state === 'error')
              throw new Error(`error before the server was full: ${row.last_error || ''}`);
            return row?.state === 'provisioning' ? row : undefined;
          });
          await slots.fill(MOST_HELD);
          const full = await slotStats();
          // the tenant cannot connect: its wait for /web/login runs out, the attempt is retried
          const retried = await orders.waitFor('a retried attempt', 120_000, async () => {
            // the master may lack a connection for a moment too; its refusals are counted below
            const row = await orders.instanceOfOrder(ctx.admin, orderId).catch(() => undefined);
            if (row && row.state !== 'provisioning')
              throw new Error(`${row.state} while PostgreSQL was full: ${row.last_error || ''}`);
            return /attempt \d+ failed, retrying/.test(row?.last_error || '')
              ? (row?.last_error as string)
              : undefined;
          });
          // not cleaned up: its database and role stay for the next attempt (read as a superuser)
          const kept = await psql(
            `SELECT count(*) FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE 'saas:instance:${started.id} %' UNION ALL SELECT count(*) FROM pg_roles WHERE shobj_description(oid, 'pg_authid') LIKE 'saas:instance:${started.id} %'`,
          );
          if (kept.join(',') !== '1,1')
            throw new Error(`the retried provisioning was cleaned up (database, role: ${kept})`);
          const held = slots.held;
          await slots.release();
          const freedAt = Date.now();
          const row = await waitRunning(ctx.admin, orderId, 180_000);
          ctx.world.mustRun.add(row.id);
          const containers = await containersOf(ctx.admin, row.id);
          if (containers.length !== 1) throw new Error(`${containers.length} containers`);
          const refused = log.read().filter((l) => !l.includes(` ${slots.role}@`));
          const ours = refusedOurs(refused);
          if (ours.length)
            throw new Error(
              `PostgreSQL refused the bridge or the master: ${ours.slice(0, 3).join(' | ')}`,
            );
          return `server full for non-superusers (${held} held, ${full.inUse} of ${full.maxConnections} in use) after the check -> provisioning "${retried.slice(0, 90)}", database and role kept, no error; released -> running ${((Date.now() - freedAt) / 1000).toFixed(0)} s later, 1 container; ${refused.length} refusals of others (the tenant, the master's postgres-db probes), none of the bridge or the master's database`;
        });
      } finally {
        await slots.release();
      }
    },
  },
];

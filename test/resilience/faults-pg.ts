/**
 * Fault 6: PostgreSQL out of connection slots (max_connections reached by others). A new order must
 * wait visibly (waiting_capacity, the reason naming connections) without making anything, nobody
 * must be refused meanwhile, and once the slots are free the instance must go on by itself.
 */
import * as orders from '../e2e/support/orders.js';
import { bridgeUrl, E2E } from '../e2e/support/stack.js';
import { containersOf, waitRunning } from '../e2e/resilience.js';
import { bridgeEnviron, startSecondBridge, supervisorctl, type Fault } from './faults.js';
import { nothingHalfMade } from './faults-infra.js';
import { pgLogMark, roleConnectionLimit, SlotHolder, slotStats } from './pg-slots.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** the capacity job's period for this fault: its minimum, so a freed host is seen in seconds */
const CHECK_SECONDS = 5;
/** client backends beyond the capacity line, so others' connections closing do not let it go early */
const MARGIN = 3;
/** slots always left to the master, the bridge and psql, whatever the settings */
const KEEP_FREE = 10;
/** never more than this many held by the fault: a server sized far larger is not this test's */
const MOST_HELD = 1500;

export const PG_FAULTS: Fault[] = [
  {
    name: 'PostgreSQL out of connection slots (max_connections reached)',
    async run(ctx) {
      const inherited = bridgeEnviron();
      const spare = Number(inherited.CAPACITY_SPARE_CONNECTIONS || 20);
      const [probe] = await ctx.admin.searchRead<{ db_name: string | false }>(
        'saas.instance',
        [['id', 'in', [...ctx.world.mustRun]]],
        ['db_name'],
      );
      if (!probe?.db_name) throw new Error('no running Basic tenant to read a role limit from');
      // what the capacity check asks of a new Basic tenant: its role's whole limit
      const need = await roleConnectionLimit(probe.db_name);
      if (need <= 0) throw new Error(`tenant role ${probe.db_name} has no connection limit`);

      await supervisorctl('stop', 'bridge');
      const slots = new SlotHolder();
      const log = pgLogMark();
      let substitute: Awaited<ReturnType<typeof startSecondBridge>> | undefined;
      try {
        substitute = await startSecondBridge(
          E2E.bridgePort,
          { CAPACITY_CHECK_SECONDS: String(CHECK_SECONDS) },
          inherited,
        );
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
        const [still] = await ctx.admin.searchRead<{ state: string; capacity_reason: string }>(
          'saas.instance',
          [['id', '=', waiting.id]],
          ['state', 'capacity_reason'],
        );
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
      } finally {
        await slots.release();
        await substitute?.stop();
        await supervisorctl('start', 'bridge');
        await orders.waitFor('the bridge to answer', 60_000, async () =>
          (await fetch(`${bridgeUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined,
        );
      }
    },
  },
];

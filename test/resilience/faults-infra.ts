/**
 * Faults of the systems under the bridge: Docker refusing (a name taken, the image missing), a
 * nearly full data dir, and the suite's own Redis restarted while jobs wait and run. Same shape as faults.ts: inject,
 * recover, answer what was seen; World.check() then holds the invariants.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX } from '../../src/adapters/job-queue.adapter.js';
import { QUEUES } from '../../src/ports/jobs.port.js';
import { bridgeUrl, docker, E2E } from '../e2e/support/stack.js';
import * as orders from '../e2e/support/orders.js';
import { containersOf, waitRunning } from '../e2e/resilience.js';
import {
  bridgeEnviron,
  startSecondBridge,
  supervisorctl,
  type Fault,
  type FaultContext,
} from './faults.js';
import { ownRedisUrl, startOwnRedis, stopOwnRedis } from './redis.js';
import { psql } from './world.js';
import { SmallDisk } from './small-disk.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** the outbox's pending events go now (as the admin's "Send now" does) */
async function sendPending(ctx: FaultContext): Promise<void> {
  await orders.waitFor('the bridge to answer', 60_000, async () =>
    (await fetch(`${bridgeUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined,
  );
  const pending = await ctx.admin.execute<number[]>('saas.bridge.event', 'search', [
    [['state', '=', 'pending']],
  ]);
  if (pending.length) await ctx.admin.execute('saas.bridge.event', 'action_send_now', [pending]);
}

async function waitError(ctx: FaultContext, orderId: number, timeoutMs: number) {
  return orders.waitFor('instance in error', timeoutMs, async () => {
    const row = await orders.instanceOfOrder(ctx.admin, orderId);
    return row?.state === 'error' ? row : undefined;
  });
}

async function lastError(ctx: FaultContext, id: number): Promise<string> {
  const [row] = await ctx.admin.searchRead<{ last_error: string | false }>(
    'saas.instance',
    [['id', '=', id]],
    ['last_error'],
  );
  return row?.last_error || '';
}

/** a failed first provisioning leaves no database or role of the instance behind */
export async function nothingHalfMade(id: number): Promise<void> {
  const marker = `saas:instance:${id} %`;
  const left = [
    ...(await psql(
      `SELECT 'database ' || datname FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE '${marker}'`,
    )),
    ...(await psql(
      `SELECT 'role ' || rolname FROM pg_roles WHERE shobj_description(oid, 'pg_authid') LIKE '${marker}'`,
    )),
  ];
  if (left.length) throw new Error(`the failed provisioning left ${left.join(', ')}`);
}

/** the admin's "Retry provisioning", then the tenant runs, once */
async function retryUntilRunning(ctx: FaultContext, id: number, orderId: number) {
  const before = (await orders.instanceOfOrder(ctx.admin, orderId))?.state;
  await ctx.admin.execute('saas.instance', 'action_retry', [[id]]).catch(async (err: unknown) => {
    // the capacity job may have queued a waiting instance again by itself a moment before
    if ((await orders.instanceOfOrder(ctx.admin, orderId))?.state === before) throw err;
  });
  await sendPending(ctx);
  // the state stays as it was (error, waiting_capacity) until the bridge takes the retry up
  await orders.waitFor('the retry to start', 60_000, async () => {
    const row = await orders.instanceOfOrder(ctx.admin, orderId);
    return row && row.state !== before ? true : undefined;
  });
  const row = await waitRunning(ctx.admin, orderId, 180_000);
  ctx.world.mustRun.add(row.id);
  const containers = await containersOf(ctx.admin, row.id);
  if (containers.length !== 1) throw new Error(`${containers.length} containers after the retry`);
  return row;
}

async function tenantRef(ctx: FaultContext, id: number): Promise<string> {
  const [row] = await ctx.admin.searchRead<{ tenant_ref: string }>(
    'saas.instance',
    [['id', '=', id]],
    ['tenant_ref'],
  );
  if (!row?.tenant_ref) throw new Error(`instance ${id} has no tenant ref`);
  return row.tenant_ref;
}

/** TENANT_IMAGE of the stack's running bridge */
function bridgeImage(): string {
  return bridgeEnviron().TENANT_IMAGE || 'odoo:17';
}

async function jobCounts(): Promise<Record<string, number>> {
  const connection = new Redis(ownRedisUrl, { maxRetriesPerRequest: null });
  const total: Record<string, number> = {};
  for (const name of [QUEUES.instances, QUEUES.maintenance]) {
    const queue = new Queue(name, { connection, prefix: QUEUE_PREFIX });
    for (const [state, n] of Object.entries(await queue.getJobCounts()))
      total[state] = (total[state] ?? 0) + n;
    await queue.close();
  }
  await connection.quit();
  return total;
}

/** `during` runs with the stack's bridge stopped; it is started again whatever happens */
async function whileBridgeDown<T>(during: () => Promise<T>): Promise<T> {
  await supervisorctl('stop', 'bridge');
  try {
    return await during();
  } finally {
    await supervisorctl('start', 'bridge');
  }
}

export const INFRA_FAULTS: Fault[] = [
  {
    name: 'Docker refusing: a container of that name exists (name conflict)',
    async run(ctx) {
      const image = bridgeImage();
      // the bridge is down while the order is confirmed, so the squatter is there first
      const { orderId, id, squatter } = await whileBridgeDown(async () => {
        const order = await orders.draftOrder(ctx.admin, 'basic', orders.uniqueSubdomain('dname'));
        await orders.confirmOrder(ctx.admin, order);
        const row = await orders.waitFor('the instance', 30_000, () =>
          orders.instanceOfOrder(ctx.admin, order),
        );
        const name = `saas-tenant-${await tenantRef(ctx, row.id)}`;
        await docker('create', '--name', name, image, 'true');
        return { orderId: order, id: row.id, squatter: name };
      });
      const reason = await (async () => {
        try {
          await sendPending(ctx);
          await waitError(ctx, orderId, 120_000);
          const text = await lastError(ctx, id);
          if (!text.includes(squatter)) throw new Error(`error without the reason: ${text}`);
          await nothingHalfMade(id);
          const state = await docker('inspect', '-f', '{{.State.Status}}', squatter);
          if (state !== 'created') throw new Error(`the foreign container was touched: ${state}`);
          return text;
        } finally {
          await docker('rm', '-f', squatter).catch(() => undefined);
        }
      })();
      await retryUntilRunning(ctx, id, orderId);
      return `name taken by a foreign container -> error "${reason.slice(0, 90)}", nothing made, the foreign one untouched; name freed + admin retry -> running, 1 container`;
    },
  },
  {
    name: 'Docker refusing: the tenant image is missing',
    async run(ctx) {
      const image = bridgeImage();
      // a tag of the same image: the bridge starts with it (same templates), then it goes missing
      const alias = `${image.split(':')[0]}:resilience-absent`;
      await docker('tag', image, alias);
      const inherited = bridgeEnviron();
      await supervisorctl('stop', 'bridge');
      let substitute: Awaited<ReturnType<typeof startSecondBridge>> | undefined;
      try {
        substitute = await startSecondBridge(E2E.bridgePort, { TENANT_IMAGE: alias }, inherited);
        await docker('rmi', alias); // untags only: the image itself stays for everyone else
        const orderId = await orders.draftOrder(ctx.admin, 'basic', orders.uniqueSubdomain('dimg'));
        await orders.confirmOrder(ctx.admin, orderId);
        // five attempts, 2..16 s apart, then the error
        const failed = await waitError(ctx, orderId, 180_000);
        const reason = await lastError(ctx, failed.id);
        if (!/no such image|not found/i.test(reason) || !reason.includes('resilience-absent'))
          throw new Error(`error without the reason: ${reason}`);
        await nothingHalfMade(failed.id);
        await docker('tag', image, alias); // the cause fixed
        await retryUntilRunning(ctx, failed.id, orderId);
        return `image ${alias} missing -> error "${reason.slice(0, 80)}", nothing half-made; image back + admin retry -> running, 1 container`;
      } finally {
        await substitute?.stop();
        await supervisorctl('start', 'bridge');
        await orders.waitFor('the bridge to answer', 60_000, async () =>
          (await fetch(`${bridgeUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined,
        );
        // the tenant's container runs the image by id: dropping the tag leaves it be
        await docker('rmi', alias).catch(() => undefined);
      }
    },
  },
  {
    name: 'disk nearly full (the data dir on a small tmpfs)',
    async run(ctx) {
      const inherited = bridgeEnviron();
      const disk = new SmallDisk('gate');
      const templates = await disk.mount(64);
      await supervisorctl('stop', 'bridge');
      let substitute: Awaited<ReturnType<typeof startSecondBridge>> | undefined;
      try {
        substitute = await startSecondBridge(
          E2E.bridgePort,
          { TENANT_DATA_DIR: disk.dir },
          inherited,
        );
        const orderId = await orders.draftOrder(
          ctx.admin,
          'basic',
          orders.uniqueSubdomain('dfull'),
        );
        await orders.confirmOrder(ctx.admin, orderId);
        // the capacity gate sees the disk before any clone starts: the order waits, saying why
        const waiting = await orders.waitFor('the order to wait for room', 90_000, async () => {
          const row = await orders.instanceOfOrder(ctx.admin, orderId);
          if (row?.state === 'error')
            throw new Error(`error instead of waiting: ${row.last_error}`);
          return row?.state === 'waiting_capacity' ? row : undefined;
        });
        const [reasonRow] = await ctx.admin.searchRead<{ capacity_reason: string | false }>(
          'saas.instance',
          [['id', '=', waiting.id]],
          ['capacity_reason'],
        );
        const reason = reasonRow?.capacity_reason || '';
        if (!/disk/i.test(reason)) throw new Error(`waiting without the reason: ${reason}`);
        await nothingHalfMade(waiting.id);
        const left = await disk.leftovers();
        if (left.length) throw new Error(`left on the full disk: ${left.join(', ')}`);
        // the cause fixed: tmpfs only takes what is written, so a large limit costs nothing
        await disk.grow(4096);
        await retryUntilRunning(ctx, waiting.id, orderId);
        return `data dir with 64 kB free (${templates.length} template copies) -> waiting_capacity "${reason.slice(0, 80)}", no database, role or files made; room made + admin retry -> running, 1 container`;
      } finally {
        await substitute?.stop();
        await supervisorctl('start', 'bridge');
        await orders.waitFor('the bridge to answer', 60_000, async () =>
          (await fetch(`${bridgeUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined,
        );
      }
    },
  },
  {
    name: 'disk full during a clone (the gate lets it through, the filestore copy meets ENOSPC)',
    async run(ctx) {
      const inherited = bridgeEnviron();
      const disk = new SmallDisk('clone');
      // room by the gate's measure (whole MiB free, none kept back), less than a Basic filestore:
      // the copy starts and stops half-way
      const freeKb = 3 * 1024;
      await disk.mount(freeKb);
      await supervisorctl('stop', 'bridge');
      let substitute: Awaited<ReturnType<typeof startSecondBridge>> | undefined;
      try {
        substitute = await startSecondBridge(
          E2E.bridgePort,
          { TENANT_DATA_DIR: disk.dir, CAPACITY_MIN_FREE_DISK_MB: '0' },
          inherited,
        );
        const orderId = await orders.draftOrder(
          ctx.admin,
          'basic',
          orders.uniqueSubdomain('dclone'),
        );
        await orders.confirmOrder(ctx.admin, orderId);
        // each failed attempt shows on the instance while the next one waits
        const retrying = await orders.waitFor('a retried attempt', 120_000, async () => {
          const row = await orders.instanceOfOrder(ctx.admin, orderId);
          if (row?.state === 'waiting_capacity')
            throw new Error('the gate held it: no clone was tried');
          if (!row) return undefined;
          const text = await lastError(ctx, row.id);
          return /retrying/.test(text) ? text : undefined;
        });
        if (!/ENOSPC/.test(retrying)) throw new Error(`retried without the cause: ${retrying}`);
        const failed = await waitError(ctx, orderId, 180_000);
        const reason = await lastError(ctx, failed.id);
        if (!/no space left on device \(ENOSPC\)/.test(reason) || !reason.includes(disk.dir))
          throw new Error(`error without ENOSPC and the path: ${reason}`);
        await nothingHalfMade(failed.id);
        const containers = await containersOf(ctx.admin, failed.id);
        if (containers.length) throw new Error(`containers left: ${containers.join(', ')}`);
        const left = await disk.leftovers();
        if (left.length) throw new Error(`half-made files left: ${left.join(', ')}`);
        await disk.grow(4096);
        await retryUntilRunning(ctx, failed.id, orderId);
        const shown =
          /no space left on device \(ENOSPC\) under [^\s:]+/.exec(reason)?.[0] ?? reason;
        return `${freeKb / 1024} MiB free, gate passed -> clone retried ("${retrying.slice(0, 30)}..."), then error "... ${shown}", no database, role, container or files left; disk grown + admin retry -> running, 1 container`;
      } finally {
        await substitute?.stop();
        await supervisorctl('start', 'bridge');
        await orders.waitFor('the bridge to answer', 60_000, async () =>
          (await fetch(`${bridgeUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined,
        );
      }
    },
  },
  {
    name: 'Redis restarted while jobs wait and run (append-only file)',
    async run(ctx) {
      const orderIds: number[] = [];
      for (const prefix of ['reda', 'redb', 'redc']) {
        const orderId = await orders.draftOrder(ctx.admin, 'basic', orders.uniqueSubdomain(prefix));
        await orders.confirmOrder(ctx.admin, orderId);
        orderIds.push(orderId);
      }
      await orders.waitFor('a provisioning to run', 60_000, async () => {
        const rows = await Promise.all(orderIds.map((o) => orders.instanceOfOrder(ctx.admin, o)));
        return rows.some((r) => r?.state === 'provisioning') ? true : undefined;
      });
      const before = await jobCounts();
      await stopOwnRedis();
      await sleep(3_000);
      await startOwnRedis();
      const after = await jobCounts();
      for (const orderId of orderIds) {
        const row = await waitRunning(ctx.admin, orderId, 240_000);
        ctx.world.mustRun.add(row.id);
        const containers = await containersOf(ctx.admin, row.id);
        if (containers.length !== 1)
          throw new Error(`instance ${row.id}: ${containers.length} containers`);
      }
      const shown = (c: Record<string, number>) =>
        `${c.active ?? 0} active, ${(c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0)} waiting`;
      return `Redis down 3 s with jobs ${shown(before)} (after the restart: ${shown(after)}) -> 3 orders running, 1 container each`;
    },
  },
];

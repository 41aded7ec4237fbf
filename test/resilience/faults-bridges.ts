/**
 * Two bridge processes on one Redis: a burst of orders whose events go half to each, one bridge
 * SIGKILLed while it runs provisionings. The other must finish its jobs (BullMQ's stalled-job
 * check): every order one running instance, no event handled twice, no job lost.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX } from '../../src/adapters/job-queue.adapter.js';
import { QUEUES } from '../../src/ports/jobs.port.js';
import * as orders from '../e2e/support/orders.js';
import type { MasterRpc } from '../e2e/support/master-rpc.js';
import { E2E, bridgeUrl, pidOf } from '../e2e/support/stack.js';
import { containersOf, postSigned } from '../e2e/resilience.js';
import { startSecondBridge, type Fault } from './faults.js';
import { ownRedisUrl } from './redis.js';
import { psql } from './world.js';

/**
 * Enough that both bridges run provisionings at once and one dies with some active; more would
 * test the host's capacity (the resilience stack already runs the earlier faults' tenants), not Redis.
 */
const BURST = 6;
/** a whole burst runs in ~1 min here; past this the fault fails, naming each instance's state */
const ALL_RUNNING_MS = 300_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** the name the bridge gives its workers (defaultWorkerName in the job queue adapter) */
const workerOf = (pid: number) => `bridge@${hostname()}:${pid}`;

interface OutboxRow {
  id: number;
  uuid: string;
  payload: string;
  instance_id: [number, string] | false;
}

/** every order's instance running, or after timeoutMs an error naming those that are not (and why) */
async function allRunning(admin: MasterRpc, orderIds: number[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await Promise.all(orderIds.map((id) => orders.instanceOfOrder(admin, id)));
    const behind = rows.filter((r) => r?.state !== 'running');
    const failed = behind.filter((r) => r?.state === 'error');
    if (!behind.length) return;
    if (failed.length || Date.now() > deadline)
      throw new Error(
        `${behind.length} of ${orderIds.length} not running after ${((Date.now() - deadline + timeoutMs) / 1000).toFixed(0)} s: ` +
          behind
            .map((r) => (r ? `${r.id} ${r.state} ${r.last_error || ''}`.trim() : 'no instance'))
            .join('; '),
      );
    await sleep(2_000);
  }
}

export const BRIDGE_FAULTS: Fault[] = [
  {
    name: `two bridges take ${BURST} concurrent orders, one SIGKILLed mid-burst`,
    async run(ctx) {
      const { admin, secret } = ctx;
      const firstPid = pidOf('bridge');
      if (!firstPid) throw new Error('no bridge pid');
      const second = await startSecondBridge(E2E.bridgePort + 51);
      const redis = new Redis(ownRedisUrl, { maxRetriesPerRequest: null });
      const queue = new Queue(QUEUES.instances, { connection: redis, prefix: QUEUE_PREFIX });
      // the master keeps its events (pending) while the test hands them out, half to each bridge
      const urlParam = 'saas_master.bridge_url';
      const url = await admin.execute<string>('ir.config_parameter', 'get_param', [urlParam]);
      await admin.execute('ir.config_parameter', 'set_param', [urlParam, '']);
      let restored = false;
      const restore = async () => {
        if (restored) return;
        restored = true;
        await admin.execute('ir.config_parameter', 'set_param', [urlParam, url]);
      };
      try {
        const subs = Array.from({ length: BURST }, (_, i) => orders.uniqueSubdomain(`brg${i}x`));
        const ids = await Promise.all(subs.map((sub) => orders.draftOrder(admin, 'basic', sub)));
        const t0 = Date.now();
        await Promise.all(ids.map((id) => orders.confirmOrder(admin, id)));
        const rows = await Promise.all(
          ids.map((id) =>
            orders.waitFor('the instance', 60_000, () => orders.instanceOfOrder(admin, id)),
          ),
        );
        const instanceIds = rows.map((r) => r.id);
        const events = await admin.searchRead<OutboxRow>(
          'saas.bridge.event',
          [
            ['instance_id', 'in', instanceIds],
            ['event_type', '=', 'order.confirmed'],
          ],
          ['id', 'uuid', 'payload', 'instance_id'],
        );
        if (events.length !== BURST) throw new Error(`${events.length} order.confirmed events`);
        const codes = await Promise.all(
          events.map((e, i) => postSigned(secret, e.payload, i % 2 ? second.url : bridgeUrl)),
        );
        if (codes.some((c) => c !== 202)) throw new Error(`intake answered ${codes}`);

        // kill -9 the second bridge once it runs provisionings (its jobs stall: the first takes them)
        const mine = (j: Job) => j.name === 'provision' && instanceIds.includes(j.data.instanceId);
        const activeOnSecond = async () =>
          (await queue.getJobs(['active'])).filter(
            (j) => mine(j) && j.processedBy === workerOf(second.pid),
          );
        await orders.waitFor('a provisioning on the second', 120_000, async () =>
          (await activeOnSecond()).length ? true : undefined,
        );
        process.kill(second.pid, 'SIGKILL');
        const killedAt = Date.now();
        // what it held when it died (a job it finished a moment before the kill is not orphaned);
        // nobody else can touch these until BullMQ's stalled check hands them on
        const orphaned = (await activeOnSecond()).map((j) => j.id ?? '?');
        if (!orphaned.length) throw new Error('the second bridge died with no provisioning active');

        // the master's copies of the events now reach the surviving bridge: duplicates
        await restore();
        await admin.execute('saas.bridge.event', 'action_send_now', [events.map((e) => e.id)]);

        await allRunning(admin, ids, ALL_RUNNING_MS);
        const allSeconds = (Date.now() - t0) / 1000;
        for (const id of ids) ctx.world.mustRun.add((await orders.instanceOfOrder(admin, id))!.id);

        // exactly one instance per order, one container and one database per instance
        const problems: string[] = [];
        for (const sub of subs) {
          const n = (await orders.instancesWithSubdomain(admin, sub)).length;
          if (n !== 1) problems.push(`${sub}: ${n} instances`);
        }
        for (const id of instanceIds) {
          const c = await containersOf(admin, id);
          if (c.length !== 1) problems.push(`instance ${id}: ${c.length} containers`);
        }
        const dbs = await psql(
          `SELECT substring(shobj_description(oid, 'pg_database') from 'saas:instance:(\\d+)') FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE '%owner:${ctx.world.owner}%'`,
        );
        for (const id of instanceIds) {
          const n = dbs.filter((d) => Number(d) === id).length;
          if (n !== 1) problems.push(`instance ${id}: ${n} databases`);
        }
        // each event one provision job, completed; the killed bridge's jobs finished by the other
        const jobs = (
          await queue.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed'])
        ).filter(mine);
        const byEvent = new Map<string, Job[]>();
        for (const j of jobs)
          byEvent.set(j.data.eventId, [...(byEvent.get(j.data.eventId) ?? []), j]);
        for (const e of events) {
          const list = byEvent.get(e.uuid) ?? [];
          if (list.length !== 1) problems.push(`event ${e.uuid}: ${list.length} provision jobs`);
        }
        const processedBy = new Map<string, number>();
        for (const j of jobs) {
          if (!byEvent.has(j.data.eventId) || !events.some((e) => e.uuid === j.data.eventId))
            continue;
          if ((await j.getState()) !== 'completed')
            problems.push(`job ${j.id} ${await j.getState()}`);
          processedBy.set(j.processedBy ?? '?', (processedBy.get(j.processedBy ?? '?') ?? 0) + 1);
        }
        for (const id of orphaned) {
          const j = await queue.getJob(id);
          if (!j || (await j.getState()) !== 'completed' || j.processedBy !== workerOf(firstPid))
            problems.push(
              `killed bridge's job ${id}: ${j ? await j.getState() : 'gone'} by ${j?.processedBy}`,
            );
        }
        const sent = await admin.searchRead<{ state: string }>(
          'saas.bridge.event',
          [['id', 'in', events.map((e) => e.id)]],
          ['state'],
        );
        if (sent.some((s) => s.state !== 'sent'))
          problems.push(`outbox: ${sent.map((s) => s.state)}`);
        if (!(await fetch(`${bridgeUrl}/readyz`).catch(() => undefined))?.ok)
          problems.push('the stack bridge is not ready');
        if (problems.length) throw new Error(problems.slice(0, 10).join('; '));

        const accepted = (file: string) =>
          readFileSync(file, 'utf8')
            .split('\n')
            .filter((l) => l.includes('"event received"') && events.some((e) => l.includes(e.uuid)))
            .filter((l) => l.includes('"duplicate":false')).length;
        const ran = (pid: number) => processedBy.get(workerOf(pid)) ?? 0;
        return (
          `${BURST} orders, events half to each bridge (accepted ${accepted(`${E2E.stackDir}/logs/bridge.log`)} + ${accepted(second.log)}), ` +
          `second SIGKILLed with ${orphaned.length} provisionings active -> ${BURST} running instances in ${allSeconds.toFixed(1)} s ` +
          `(${((Date.now() - killedAt) / 1000).toFixed(0)} s after the kill); provisionings completed by first ${ran(firstPid)}, second ${ran(second.pid)}; ` +
          `1 container, 1 database, 1 job per event; the master's resent events duplicates`
        );
      } finally {
        await restore().catch(() => undefined);
        await second.stop().catch(() => undefined);
        await queue.close();
        await redis.quit();
      }
    },
  },
];

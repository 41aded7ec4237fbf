/**
 * The faults the resilience suite injects into its own stack. Each one: inject, let the system
 * recover, and answer a line saying what was seen (World.check() then holds the invariants).
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { signBody } from '../../src/http/signature.js';
import type { MasterRpc } from '../e2e/support/master-rpc.js';
import * as orders from '../e2e/support/orders.js';
import { E2E, REPO, bridgeUrl, docker, pidOf } from '../e2e/support/stack.js';
import {
  containersOf,
  killMidProvisioningCheck,
  postSigned,
  waitRunning,
} from '../e2e/resilience.js';
import type { World } from './world.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface FaultContext {
  admin: MasterRpc;
  bridge: MasterRpc;
  secret: string;
  world: World;
}

export interface Fault {
  name: string;
  run(ctx: FaultContext): Promise<string>;
}

export async function supervisorctl(...args: string[]): Promise<void> {
  await run('supervisorctl', ['-c', path.join(E2E.stackDir, 'supervisord.conf'), ...args]);
}

/** a confirmed order of the basic plan, waited until its tenant runs; its instance id */
export async function runningTenant(ctx: FaultContext, prefix: string): Promise<number> {
  const orderId = await orders.draftOrder(ctx.admin, 'basic', orders.uniqueSubdomain(prefix));
  await orders.confirmOrder(ctx.admin, orderId);
  const instance = await waitRunning(ctx.admin, orderId, 180_000);
  ctx.world.mustRun.add(instance.id);
  return instance.id;
}

async function orderUntilProvisioning(ctx: FaultContext, prefix: string) {
  const orderId = await orders.draftOrder(ctx.admin, 'basic', orders.uniqueSubdomain(prefix));
  await orders.confirmOrder(ctx.admin, orderId);
  const instance = await orders.waitFor('provisioning to start', 60_000, async () => {
    const row = await orders.instanceOfOrder(ctx.admin, orderId);
    return row?.state === 'provisioning' ? row : undefined;
  });
  return { orderId, instance };
}

export const FAULTS: Fault[] = [
  {
    name: 'bridge SIGKILLed mid-provisioning',
    async run(ctx) {
      const detail = await killMidProvisioningCheck(ctx.admin, ctx.bridge);
      const sub = /\((\w+)\)$/.exec(detail)?.[1] ?? '';
      const [row] = await orders.instancesWithSubdomain(ctx.admin, sub);
      if (row) ctx.world.mustRun.add(row.id);
      return detail;
    },
  },
  {
    name: 'master down while the bridge writes back',
    async run(ctx) {
      const { orderId } = await orderUntilProvisioning(ctx, 'mdown');
      await supervisorctl('stop', 'odoo-master');
      const stoppedAt = Date.now();
      await sleep(8_000); // longer than the old ~30 s budget once the retries' waits add up
      await supervisorctl('start', 'odoo-master');
      await orders.waitFor('the master to answer', 90_000, async () =>
        (await fetch(`http://127.0.0.1:${E2E.odooPort}/web/login`).catch(() => undefined))?.ok
          ? true
          : undefined,
      );
      const instance = await waitRunning(ctx.admin, orderId, 180_000);
      ctx.world.mustRun.add(instance.id);
      const containers = await containersOf(ctx.admin, instance.id);
      if (containers.length !== 1) throw new Error(`${containers.length} containers`);
      return `master stopped 8 s mid-provisioning -> running, 1 container, ${((Date.now() - stoppedAt) / 1000).toFixed(0)} s after the stop`;
    },
  },
  {
    name: 'bridge down while an order is confirmed',
    async run(ctx) {
      await supervisorctl('stop', 'bridge');
      const sub = orders.uniqueSubdomain('bdown');
      const orderId = await orders.draftOrder(ctx.admin, 'basic', sub);
      await orders.confirmOrder(ctx.admin, orderId);
      await sleep(1_000);
      await supervisorctl('start', 'bridge');
      // what the outbox did not deliver goes now (as the admin's "Send now" or the next cron run)
      const pending = await ctx.admin.execute<number[]>('saas.bridge.event', 'search', [
        [['state', '=', 'pending']],
      ]);
      await orders.waitFor('the bridge to answer', 60_000, async () =>
        (await fetch(`${bridgeUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined,
      );
      if (pending.length)
        await ctx.admin.execute('saas.bridge.event', 'action_send_now', [pending]);
      const instance = await waitRunning(ctx.admin, orderId, 180_000);
      ctx.world.mustRun.add(instance.id);
      const events = await ctx.admin.searchRead<{ state: string }>(
        'saas.bridge.event',
        [
          ['instance_id', '=', instance.id],
          ['event_type', '=', 'order.confirmed'],
        ],
        ['state'],
      );
      const containers = await containersOf(ctx.admin, instance.id);
      if (events.length !== 1 || events[0]?.state !== 'sent' || containers.length !== 1)
        throw new Error(`events ${JSON.stringify(events)}, ${containers.length} containers`);
      return `order confirmed while the bridge was down -> event delivered later (1 sent), 1 container`;
    },
  },
  {
    name: 'the same event delivered 50 times concurrently',
    async run(ctx) {
      const { instance } = await orderUntilProvisioning(ctx, 'fifty');
      const [event] = await ctx.admin.searchRead<{ payload: string }>(
        'saas.bridge.event',
        [
          ['instance_id', '=', instance.id],
          ['event_type', '=', 'order.confirmed'],
        ],
        ['payload'],
      );
      if (!event) throw new Error('no order.confirmed event');
      // a new id the bridge has not seen, so the 50 copies race for the first delivery
      const body = JSON.parse(event.payload) as Record<string, unknown>;
      body.id = crypto.randomUUID();
      const text = JSON.stringify(body);
      const codes = await Promise.all(
        Array.from({ length: 50 }, () => postSigned(ctx.secret, text)),
      );
      const accepted = codes.filter((c) => c === 202).length;
      const other = codes.filter((c) => ![200, 202, 503].includes(c));
      const row = await waitRunning(ctx.admin, await orderOf(ctx, instance.id), 180_000);
      ctx.world.mustRun.add(row.id);
      const containers = await containersOf(ctx.admin, row.id);
      if (accepted !== 1 || other.length || containers.length !== 1)
        throw new Error(`${accepted} accepted, others ${other}, ${containers.length} containers`);
      return `50 concurrent copies -> 1 accepted (202), 49 duplicate/in flight, 1 container`;
    },
  },
  {
    name: 'suspend arriving while a provisioning of the same instance runs',
    async run(ctx) {
      const { instance } = await orderUntilProvisioning(ctx, 'susp');
      const body = JSON.stringify({
        id: crypto.randomUUID(),
        type: 'instance.suspend',
        occurred_at: new Date().toISOString(),
        instance_id: instance.id,
        data: { requested_by: 'resilience suite' },
      });
      const code = await postSigned(ctx.secret, body);
      if (code !== 202) throw new Error(`suspend answered ${code}`);
      const row = await orders.waitFor('instance suspended', 180_000, async () => {
        const [r] = await orders.instancesWithSubdomain(ctx.admin, instance.subdomain);
        return r?.state === 'suspended' ? r : undefined;
      });
      ctx.world.mustBeStopped.add(row.id);
      await sleep(2_000);
      const running = await containersOf(ctx.admin, row.id, false);
      const all = await containersOf(ctx.admin, row.id);
      if (running.length || all.length !== 1)
        throw new Error(`${all.length} containers, ${running.length} running`);
      return `suspend during provisioning -> provisioned, then suspended: 1 container, stopped`;
    },
  },
  {
    name: 'two bridge processes on one Redis',
    async run(ctx) {
      const second = await startSecondBridge();
      try {
        const sub = orders.uniqueSubdomain('twob');
        const orderId = await orders.draftOrder(ctx.admin, 'basic', sub);
        await orders.confirmOrder(ctx.admin, orderId);
        const row = await orders.waitFor('the instance', 30_000, () =>
          orders.instanceOfOrder(ctx.admin, orderId),
        );
        // the master's event also reaches the second bridge, as after a fail-over
        const [event] = await ctx.admin.searchRead<{ payload: string }>(
          'saas.bridge.event',
          [
            ['instance_id', '=', row.id],
            ['event_type', '=', 'order.confirmed'],
          ],
          ['payload'],
        );
        const code = event ? await postSigned(ctx.secret, event.payload, second.url) : 0;
        const instance = await waitRunning(ctx.admin, orderId, 180_000);
        ctx.world.mustRun.add(instance.id);
        const containers = await containersOf(ctx.admin, instance.id);
        if (![200, 202, 503].includes(code) || containers.length !== 1)
          throw new Error(`second bridge answered ${code}, ${containers.length} containers`);
        return `a second bridge on the same Redis (and the event sent to both: ${code}) -> 1 tenant`;
      } finally {
        await second.stop();
      }
    },
  },
  {
    name: 'a tenant container crashes (running ones come back, suspended ones stay stopped)',
    async run(ctx) {
      const id = [...ctx.world.mustRun][0];
      if (id === undefined) throw new Error('no running tenant to crash');
      const [name] = await containersOf(ctx.admin, id, false);
      if (!name) throw new Error(`instance ${id} has no running container`);
      const pid = Number(await docker('inspect', '-f', '{{.State.Pid}}', name));
      process.kill(pid, 'SIGKILL'); // the tenant's Odoo dies as in a crash, not a docker stop
      const crashedAt = Date.now();
      await orders.waitFor('the container to come back', 60_000, async () => {
        const [running, newPid] = (
          await docker('inspect', '-f', '{{.State.Running}} {{.State.Pid}}', name)
        ).split(' ');
        return running === 'true' && Number(newPid) !== pid ? true : undefined;
      });
      const [row] = await ctx.admin.searchRead<{ subdomain: string }>(
        'saas.instance',
        [['id', '=', id]],
        ['subdomain'],
      );
      await orders.waitFor('the tenant to answer through the proxy', 90_000, async () =>
        (await orders.statusThroughProxy(`${row?.subdomain}.localhost`, E2E.caddyPort)) === 200
          ? true
          : undefined,
      );
      for (const stopped of ctx.world.mustBeStopped) {
        if ((await containersOf(ctx.admin, stopped, false)).length)
          throw new Error(`suspended instance ${stopped} runs again`);
      }
      return `tenant Odoo SIGKILLed -> restarted by its policy, 200 through Caddy ${((Date.now() - crashedAt) / 1000).toFixed(1)} s later; suspended ones stay stopped`;
    },
  },
  {
    name: 'clock skew between master and bridge beyond the window',
    async run(ctx) {
      const body = JSON.stringify({
        id: crypto.randomUUID(),
        type: 'instance.suspend',
        occurred_at: new Date().toISOString(),
        instance_id: [...ctx.world.mustRun][0] ?? 1,
        data: { requested_by: 'skewed clock' },
      });
      const codes: number[] = [];
      for (const skew of [-301, 301, -3600, 86_400]) {
        const ts = Math.floor(Date.now() / 1000) + skew;
        const res = await fetch(`${bridgeUrl}/v1/events`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-saas-event-id': (JSON.parse(body) as { id: string }).id,
            'x-saas-timestamp': String(ts),
            'x-saas-signature': signBody(ctx.secret, ts, body),
          },
          body,
        });
        codes.push(res.status);
      }
      if (codes.some((c) => c !== 401)) throw new Error(`answers ${codes}`);
      // the same event from a clock in step still goes through: the skewed ones left no trace
      const fine = await postSigned(ctx.secret, body.replace('skewed clock', 'clock in step'));
      if (fine !== 202) throw new Error(`the event in step answered ${fine}`);
      const id = (JSON.parse(body) as { instance_id: number }).instance_id;
      await orders.waitFor('instance suspended', 60_000, async () => {
        const [r] = await ctx.admin.searchRead<{ state: string }>(
          'saas.instance',
          [['id', '=', id]],
          ['state'],
        );
        return r?.state === 'suspended' ? true : undefined;
      });
      ctx.world.mustRun.delete(id);
      ctx.world.mustBeStopped.add(id);
      return `timestamps 301 s..1 day off -> 401 each, nothing queued; the same event in step -> 202, suspended`;
    },
  },
];

/** the environment of the stack's running bridge */
export function bridgeEnviron(): Record<string, string> {
  const pid = pidOf('bridge');
  if (!pid) throw new Error('no bridge pid');
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/** the stack's bridge started a second time, with its environment (and `env`), on another port */
export async function startSecondBridge(
  port = E2E.bridgePort + 50,
  env: Record<string, string> = {},
  inherited = bridgeEnviron(),
): Promise<{ url: string; pid: number; log: string; stop(): Promise<void> }> {
  // its log beside the stack's, to count what it took and to read after a failure
  const log = path.join(E2E.stackDir, 'logs', `bridge-${port}.log`);
  const out = openSync(log, 'a');
  // it dies with this runner (PR_SET_PDEATHSIG): a runner killed by a timeout once left a second
  // bridge behind that took the next run's jobs on the same Redis, under the old master's owner
  const child = spawn('setpriv', ['--pdeathsig', 'SIGKILL', '--', 'node', 'dist/main.js'], {
    cwd: REPO,
    env: { ...inherited, ...env, BRIDGE_PORT: String(port) },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  await orders.waitFor('the second bridge', 60_000, async () =>
    (await fetch(`${url}/readyz`).catch(() => undefined))?.ok ? true : undefined,
  );
  return {
    url,
    pid: child.pid ?? 0,
    log,
    stop: async () => {
      // a child killed by a signal has no exit code, only a signal code: waiting for its exit would hang
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const late = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(late);
    },
  };
}

async function orderOf(ctx: FaultContext, instanceId: number): Promise<number> {
  const [row] = await ctx.admin.searchRead<{ sale_order_ids: number[] }>(
    'saas.instance',
    [['id', '=', instanceId]],
    ['sale_order_ids'],
  );
  const order = row?.sale_order_ids[0];
  if (!order) throw new Error(`instance ${instanceId} has no order`);
  return order;
}

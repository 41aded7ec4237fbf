/**
 * Benchmark: time from order confirmation in the master to the tenant answering 200 through the proxy,
 * median of N orders (default 5), plus database clone times and an idle tenant's memory.
 * Runs its own stack (STACK_PROFILE=bench: its own ports, state dir and master database) and removes
 * the tenants it created. Usage: npm run bench [-- --orders 5 --keep]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

process.env.STACK_PROFILE = 'bench';
const { E2E, docker, dotenv, stack } = await import('../test/e2e/support/stack.js');
const { MasterRpc } = await import('../test/e2e/support/master-rpc.js');
const orders = await import('../test/e2e/support/orders.js');
const { retireTenants } = await import('../test/e2e/support/retire.js');

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run bench [-- --orders 5 --keep]   (needs ODOO_SRC or /opt/odoo17)');
  process.exit(0);
}
const count = Number(values.orders);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

async function provisionOne(
  rpc: InstanceType<typeof MasterRpc>,
  label: string,
): Promise<{ sub: string; seconds: number }> {
  const sub = orders.uniqueSubdomain(label);
  const orderId = await orders.draftOrder(rpc, 'basic', sub);
  const t0 = performance.now();
  await orders.confirmOrder(rpc, orderId);
  await orders.waitFor(`tenant ${sub} through the proxy`, 300_000, async () => {
    const status = await orders.statusThroughProxy(`${sub}.localhost`, E2E.caddyPort);
    if (status === 200) return true;
    const instance = await orders.instanceOfOrder(rpc, orderId);
    if (instance?.state === 'error')
      throw new Error(`instance ${sub} failed: ${instance.last_error}`);
    return undefined;
  });
  return { sub, seconds: (performance.now() - t0) / 1000 };
}

const created: string[] = [];
let rpcForCleanUp: InstanceType<typeof MasterRpc> | undefined;
try {
  console.log(`bench: bringing up the bench stack in ${E2E.stackDir}`);
  await stack('up');
  const env = dotenv();
  const rpc = new MasterRpc(
    `http://127.0.0.1:${E2E.odooPort}`,
    E2E.masterDb,
    'admin',
    env.MASTER_ADMIN_PASSWORD ?? '',
  );
  rpcForCleanUp = rpc;
  console.log('bench: warm-up order (builds the Basic template if needed; not counted)');
  const warm = await provisionOne(rpc, 'benchw');
  created.push(warm.sub);
  console.log(`bench: warm-up ${warm.seconds.toFixed(1)} s`);
  const times: number[] = [];
  for (let i = 1; i <= count; i += 1) {
    const { sub, seconds } = await provisionOne(rpc, 'bench');
    created.push(sub);
    times.push(seconds);
    console.log(
      `bench: order ${i}/${count}: confirmed -> tenant 200 in ${seconds.toFixed(2)} s (${sub})`,
    );
  }
  const clones = readFileSync(path.join(E2E.stackDir, 'logs', 'bridge.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('database cloned'))
    .map((l) => (JSON.parse(l) as { ms: number }).ms)
    .slice(-count);
  // containers are named from the tenant ref; the subdomain is only a label
  const last = await docker(
    'ps',
    '-q',
    '--filter',
    `label=saas.subdomain=${created.at(-1)}`,
    '--filter',
    'status=running',
  );
  const mem = await docker(
    'stats',
    '--no-stream',
    '--format',
    '{{.MemUsage}}',
    last.split('\n')[0] ?? '',
  );
  console.log(
    `bench: confirmed -> tenant 200: median ${median(times).toFixed(2)} s, min ${Math.min(...times).toFixed(2)} s, ` +
      `max ${Math.max(...times).toFixed(2)} s over ${count} orders (target: under 30 s)`,
  );
  console.log(
    `bench: template clone + identity reset + filestore copy: median ${median(clones)} ms`,
  );
  console.log(`bench: idle tenant memory: ${mem.split('/')[0]?.trim()}`);
} finally {
  if (!values.keep) {
    if (rpcForCleanUp) await retireTenants(rpcForCleanUp, created);
    await stack('down').catch(() => undefined);
  }
}

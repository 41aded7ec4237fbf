/**
 * The bench's wake figure (docs/hibernation.md): the Basic plan set to sleep after 1 minute, the
 * given tenants left alone until the bridge has put them to sleep, then each one asked through the
 * proxy until its login page answers 200: the time from that first request is the wake time.
 */
import type { MasterRpc } from '../e2e/support/master-rpc.js';
import { statusThroughProxy, waitFor } from '../e2e/support/orders.js';
import { summarize } from './stats.js';

const IDLE_MINUTES = 1;

async function setBasicIdle(rpc: MasterRpc, minutes: number): Promise<number> {
  const [plan] = await rpc.searchRead<{ id: number; saas_idle_minutes: number }>(
    'product.template',
    [['saas_plan_code', '=', 'basic']],
    ['saas_idle_minutes'],
  );
  if (!plan) throw new Error('bench: no Basic plan in the master');
  await rpc.execute('product.template', 'write', [[plan.id], { saas_idle_minutes: minutes }]);
  return plan.saas_idle_minutes;
}

export async function measureWakes(
  rpc: MasterRpc,
  subs: string[],
  proxyPort: number,
): Promise<{ p50_s: number; p95_s: number; n: number; runs_s: number[] }> {
  const before = await setBasicIdle(rpc, IDLE_MINUTES);
  try {
    // idle minute + one scan (HIBERNATION_SCAN_SECONDS, 60) + the sleep jobs
    await waitFor(`${subs.length} tenants asleep`, 300_000, async () => {
      const rows = await rpc.searchRead<{ sleeping: boolean }>(
        'saas.instance',
        [['subdomain', 'in', subs]],
        ['sleeping'],
      );
      return rows.length === subs.length && rows.every((r) => r.sleeping) ? true : undefined;
    });
    const runs: number[] = [];
    for (const sub of subs) {
      const t0 = Date.now();
      await waitFor(`${sub} awake`, 120_000, async () =>
        (await statusThroughProxy(`${sub}.localhost`, proxyPort)) === 200 ? true : undefined,
      );
      runs.push((Date.now() - t0) / 1000);
    }
    const summary = summarize(runs);
    return { p50_s: summary.p50_s, p95_s: summary.p95_s, n: runs.length, runs_s: runs };
  } finally {
    await setBasicIdle(rpc, before);
  }
}

/** The bench's results: one markdown table for people, artifacts/bench/bench.json for tools. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Summary } from './stats.js';

export interface PathResult extends Summary {
  /** order confirmed -> welcome mail in the sink */
  mail_p50_s: number;
  /** median milliseconds per provisioning step (bridge log) */
  steps_ms: Record<string, number>;
}

export interface BenchResult {
  machine: { cores: number; mem_gib: number };
  naive: PathResult;
  template: PathResult;
  /** the warm-spare path (WARM_SPARES=basic=1); null where not measured, never a made-up figure */
  warm: PathResult | null;
  ratio: { naive_over_template: number; template_over_warm?: number };
  burst: {
    orders: number;
    all_running_s: number;
    failures: number;
    peak_bridge_rss_mib: number;
    peak_pg_connections: number;
  };
  idle_tenant_mib: number;
  idle_tenant_before_login_mib: number;
  /** first request to a sleeping tenant -> its login page 200 through the proxy (null: not measured) */
  wake: { p50_s: number; p95_s?: number; n?: number } | null;
  /** the last `npm run bench:density -- --awake M` run's figures (its own script; null: none yet) */
  density: DensityResult | null;
}

/** N tenants provisioned, M of them awake (the others stopped, as hibernation leaves them) */
export interface DensityResult {
  provisioned: number;
  awake: number;
  /** host memory in use (MemTotal - MemAvailable) with M awake, everything else included */
  host_used_mib: number;
  /** the same with all N awake, and before any tenant ran: what one awake tenant costs */
  host_used_all_awake_mib: number;
  host_used_before_mib: number;
  /** a stopped one started again -> its /web/login 200, with the others as they are */
  wake_s: number;
  at: string;
}

const DENSITY_FILE = 'density.json';

export function writeDensity(dir: string, d: DensityResult): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, DENSITY_FILE);
  writeFileSync(file, `${JSON.stringify(d, null, 2)}\n`);
  return file;
}

/** the density figures bench:density left in `dir`, if any (a run of its own: minutes, not in bench) */
export function lastDensity(dir: string): DensityResult | null {
  const file = path.join(dir, DENSITY_FILE);
  if (!existsSync(file)) return null;
  try {
    const d = JSON.parse(readFileSync(file, 'utf8')) as Partial<DensityResult>;
    return typeof d.provisioned === 'number' && typeof d.awake === 'number'
      ? (d as DensityResult)
      : null;
  } catch {
    return null;
  }
}

export function machine(): BenchResult['machine'] {
  return { cores: os.cpus().length, mem_gib: Math.round(os.totalmem() / 2 ** 30) };
}

const s = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : `${x} s`);

export function markdown(r: BenchResult): string {
  const row = (name: string, p: PathResult | null) =>
    p
      ? `| ${name} | ${p.n} | ${s(p.p50_s)} | ${s(p.p95_s)} | ${s(p.min_s)} | ${s(p.max_s)} | ${s(p.mail_p50_s)} |`
      : `| ${name} | - | not built yet | | | | |`;
  const steps = (p: PathResult) =>
    Object.entries(p.steps_ms)
      .map(([k, v]) => `${k} ${v} ms`)
      .join(', ');
  return [
    `bench on ${r.machine.cores} cores, ${r.machine.mem_gib} GiB: order confirmed -> tenant /web/login 200 through the proxy`,
    '',
    '| path | n | p50 | p95 | min | max | -> welcome mail p50 |',
    '|---|---|---|---|---|---|---|',
    row('naive (fresh -i install per tenant)', r.naive),
    row('template (clone, today)', r.template),
    row('warm spare', r.warm),
    '',
    `naive / template (p50): ${r.ratio.naive_over_template}x`,
    `steps, naive (median): ${steps(r.naive)}`,
    `steps, template (median): ${steps(r.template)}`,
    ...(r.warm
      ? [
          `template / warm (p50): ${r.ratio.template_over_warm}x`,
          `steps, warm spare (median): ${steps(r.warm)}`,
        ]
      : []),
    `burst: ${r.burst.orders} orders confirmed at once -> all answering in ${r.burst.all_running_s} s, ` +
      `${r.burst.failures} failures, peak bridge RSS ${r.burst.peak_bridge_rss_mib} MiB, ` +
      `peak PostgreSQL connections ${r.burst.peak_pg_connections}`,
    `idle tenant: ${r.idle_tenant_before_login_mib} MiB before, ${r.idle_tenant_mib} MiB after a browser login`,
    `wake from hibernation: ${r.wake ? `${s(r.wake.p50_s)} p50, ${s(r.wake.p95_s ?? r.wake.p50_s)} p95 (n ${r.wake.n ?? 1})` : 'not measured'}`,
    `density (bench:density --awake, ${r.density?.at ?? 'never run'}): ${
      r.density
        ? `${r.density.provisioned} provisioned, ${r.density.awake} awake -> host ${r.density.host_used_mib} MiB used (all awake ${r.density.host_used_all_awake_mib}, none ${r.density.host_used_before_mib})`
        : 'not measured'
    }`,
  ].join('\n');
}

export function writeJson(dir: string, r: BenchResult): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'bench.json');
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}

/** Summaries of measured durations, in seconds, as the bench reports them. */

export interface Summary {
  n: number;
  p50_s: number;
  p95_s: number;
  min_s: number;
  max_s: number;
}

/** nearest-rank percentile: with 5 samples p95 is the largest, never an interpolated value nobody saw */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

const round = (x: number) => Math.round(x * 100) / 100;

export function summarize(seconds: number[]): Summary {
  return {
    n: seconds.length,
    p50_s: round(percentile(seconds, 50)),
    p95_s: round(percentile(seconds, 95)),
    min_s: round(Math.min(...seconds)),
    max_s: round(Math.max(...seconds)),
  };
}

/** median per step of the bridge's per-step milliseconds (the `stepsMs` of its "instance running" log) */
export function medianSteps(runs: Record<string, number>[]): Record<string, number> {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(
    names.map((name) => [
      name,
      percentile(
        runs.map((r) => r[name] ?? 0),
        50,
      ),
    ]),
  );
}

import type { PlanRecord } from '../ports/odoo.port.js';

/**
 * WARM_SPARES: how many warm spares each plan keeps. `cheapest` (the default): 1 for the cheapest
 * plan, none for the others; `off`: none; else `<plan code>=<count>` items (`basic=1 pro=0`).
 */
export type WarmSparesSetting = 'cheapest' | Record<string, number>;

const MAX_SPARES_PER_PLAN = 10;

/** the setting from its text, or the reason it is malformed */
export function parseWarmSpares(
  text: string,
): { setting: WarmSparesSetting } | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'cheapest') return { setting: 'cheapest' };
  if (trimmed === 'off') return { setting: {} };
  const counts: Record<string, number> = {};
  for (const item of trimmed.split(/[\s,]+/).filter(Boolean)) {
    const match = /^([a-z0-9_-]+)=(\d{1,2})$/.exec(item);
    if (!match || Number(match[2]) > MAX_SPARES_PER_PLAN)
      return {
        problem: `${item} is not <plan code>=<count> with a count of 0 to ${MAX_SPARES_PER_PLAN} (e.g. basic=1)`,
      };
    counts[match[1]!] = Number(match[2]);
  }
  return { setting: counts };
}

/** plan code -> spares it keeps (plans the setting does not name keep none) */
export function sparesWanted(plans: PlanRecord[], setting: WarmSparesSetting): Map<string, number> {
  const wanted = new Map(plans.map((p) => [p.code, 0]));
  if (setting === 'cheapest') {
    const priced = plans.filter((p) => p.price !== undefined);
    const cheapest = [...(priced.length > 0 ? priced : plans)].sort(
      (a, b) => (a.price ?? 0) - (b.price ?? 0) || a.id - b.id,
    )[0];
    if (cheapest) wanted.set(cheapest.code, 1);
    return wanted;
  }
  for (const plan of plans) wanted.set(plan.code, setting[plan.code] ?? 0);
  return wanted;
}

import type { TenantActivity } from '../ports/activity.port.js';
import type { PlanRecord } from '../ports/odoo.port.js';

export type IdleVerdict =
  | { sleep: true; idleForMs: number }
  | { sleep: false; reason: 'never' | 'not running' | 'recently started' | 'recent request' };

/** the plan's idle time before its tenants sleep; 0: they never do */
export function idleMsOf(plan: Pick<PlanRecord, 'idleMinutes'>): number {
  return Math.max(0, (plan.idleMinutes ?? 0) * 60_000);
}

/**
 * Whether a tenant has had no visitor for its plan's idle time. A tenant that started less than that
 * ago counts as busy even without a logged request: it was just woken (or reached by a request the
 * log has not shown yet), and a start costs more than the minutes it would sleep.
 */
export function idleVerdict(idleMs: number, activity: TenantActivity, now: Date): IdleVerdict {
  if (idleMs <= 0) return { sleep: false, reason: 'never' };
  if (!activity.startedAt) return { sleep: false, reason: 'not running' };
  const since = Math.max(activity.startedAt.getTime(), activity.lastRequestAt?.getTime() ?? 0);
  const idleForMs = now.getTime() - since;
  if (idleForMs >= idleMs) return { sleep: true, idleForMs };
  return {
    sleep: false,
    reason:
      activity.lastRequestAt && activity.lastRequestAt >= activity.startedAt
        ? 'recent request'
        : 'recently started',
  };
}

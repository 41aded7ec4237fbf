import type { Logger } from '../observability/logger.js';
import type { InstanceRecord, OdooPort, PlanRecord } from '../ports/odoo.port.js';
import type { TenantLimits, TenantPort } from '../ports/tenant.port.js';
import type { TenantIdentity } from './tenant-identity.js';

export interface TenantLimitsDeps {
  odoo: Pick<OdooPort, 'listPlans'>;
  tenant: Pick<TenantPort, 'applyLimits'>;
  identity: Pick<TenantIdentity, 'namesOf'>;
  logger: Logger;
  /** the portal page where the customer changes the instance's plan */
  upgradeUrl(instanceId: number): string;
}

/** the apps a plan includes: those its template installs and those the customer may add */
export function appsOf(plan: PlanRecord): string[] {
  return [...new Set([...plan.modules, ...(plan.apps ?? [])])];
}

/**
 * The plan's limits as the tenant reads them. For every app some other plan includes and this one
 * does not, the cheapest such plan (then the first by name), so a refusal can say where it is.
 */
export function tenantLimitsOf(
  instance: InstanceRecord,
  plan: PlanRecord,
  plans: PlanRecord[],
  upgradeUrl: string,
): TenantLimits {
  const apps = appsOf(plan);
  const appPlans: Record<string, string> = {};
  const others = plans
    .filter((p) => p.id !== plan.id)
    .sort((a, b) => (a.price ?? 0) - (b.price ?? 0) || a.name.localeCompare(b.name));
  for (const other of others) {
    for (const app of appsOf(other)) {
      if (!apps.includes(app) && !(app in appPlans)) appPlans[app] = other.name;
    }
  }
  return {
    planCode: plan.code,
    planName: plan.name,
    maxUsers: plan.maxUsers,
    storageMb: plan.storageMb,
    expirationDate: instance.expirationDate,
    apps,
    appPlans,
    upgradeUrl,
  };
}

/**
 * Writes a plan's limits into a tenant's database: at provisioning, at every reconcile (a limit
 * changed in the master, or by hand in the tenant, is back within one pass) and on a plan change.
 * It reads the plan list once per call and touches neither Docker nor the tenant's Odoo.
 */
export class TenantLimitsService {
  constructor(private readonly deps: TenantLimitsDeps) {}

  /** Applies `plan`'s limits to the instance's tenant; answers the keys that changed. */
  async apply(instance: InstanceRecord, plan: PlanRecord): Promise<string[]> {
    const plans = await this.deps.odoo.listPlans();
    return this.write(instance, plan, plans);
  }

  /**
   * Re-applies each running instance's plan; one instance failing does not stop the others.
   * Answers the ids of the instances whose limits changed.
   */
  async reapply(instances: InstanceRecord[]): Promise<number[]> {
    const live = instances.filter((i) => i.state === 'running' && i.provisionedAt);
    if (live.length === 0) return [];
    const plans = await this.deps.odoo.listPlans();
    const changed: number[] = [];
    for (const instance of live) {
      const plan = plans.find((p) => p.id === instance.planId);
      if (!plan) {
        this.deps.logger.warn(
          { instance: instance.id, plan: instance.planId },
          'instance plan is not a SaaS plan; limits left as they are',
        );
        continue;
      }
      try {
        if ((await this.write(instance, plan, plans)).length > 0) changed.push(instance.id);
      } catch (err) {
        this.deps.logger.warn(
          { instance: instance.id, err },
          'limits not re-applied; next pass retries',
        );
      }
    }
    return changed;
  }

  private async write(
    instance: InstanceRecord,
    plan: PlanRecord,
    plans: PlanRecord[],
  ): Promise<string[]> {
    const limits = tenantLimitsOf(instance, plan, plans, this.deps.upgradeUrl(instance.id));
    const changed = await this.deps.tenant.applyLimits(
      this.deps.identity.namesOf(instance).db,
      limits,
    );
    if (changed.length > 0)
      this.deps.logger.info({ instance: instance.id, changed }, 'tenant limits applied');
    return changed;
  }
}

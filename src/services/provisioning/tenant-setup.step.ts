import { publicUrl } from '../naming.js';
import { BRIDGE_LOGIN } from '../tenant-identity.js';
import type { ProvisionContext, ProvisioningDeps, ReadyTenant } from './context.js';

/**
 * The plan's limits, every run (straight into the database); company and the customer's admin (uid 2),
 * applied as the bridge's technical user, only before the instance first ran: afterwards the tenant
 * and its admin's password are the customer's.
 */
export async function ensureTenantSetup(
  deps: ProvisioningDeps,
  ctx: ProvisionContext,
  tenant: ReadyTenant,
  adminLogin: string,
): Promise<void> {
  const { instance, plan, names, initialPassword } = ctx;
  await deps.limits.apply(instance, plan);
  if (instance.provisionedAt || !initialPassword) return;
  await deps.tenant.configure(
    tenant.directUrl,
    names.db,
    { login: BRIDGE_LOGIN, key: deps.identity.bridgeKey(instance.tenantRef) },
    {
      companyName: instance.companyName ?? instance.partnerName,
      companyEmail: instance.partnerEmail,
      lang: instance.lang,
      adminLogin,
      adminPassword: initialPassword,
      baseUrl: publicUrl(names.host, deps.publicUrl.scheme, deps.publicUrl.port),
      limits: {
        planCode: plan.code,
        maxUsers: plan.maxUsers,
        storageMb: plan.storageMb,
        expirationDate: instance.expirationDate,
      },
    },
  );
}

import { publicUrl } from '../naming.js';
import { BRIDGE_LOGIN } from '../tenant-identity.js';
import { tenantLocaleOf } from '../tenant-locale.js';
import type { ProvisionContext, ProvisioningDeps, ReadyTenant } from './context.js';

/**
 * The plan's limits, every run (straight into the database); company, the owner's locale, the
 * platform's mail relay and the customer's admin (uid 2), applied as the bridge's technical user,
 * only before the instance first ran: afterwards the tenant, its mail server and its admin's
 * password are the customer's.
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
  const locale = tenantLocaleOf(instance);
  await deps.tenant.configure(
    tenant.directUrl,
    names.db,
    { login: BRIDGE_LOGIN, key: deps.identity.bridgeKey(instance.tenantRef) },
    {
      companyName: instance.companyName ?? instance.partnerName,
      companyEmail: instance.partnerEmail,
      lang: locale.lang,
      countryCode: locale.country,
      currency: locale.currency,
      tz: locale.tz,
      mail: deps.mailRelay && { relay: deps.mailRelay, mailDomain: names.host },
      adminLogin,
      adminPassword: initialPassword,
      multiCompany: instance.multiCompany ?? false,
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

import { publicUrl } from '../naming.js';
import { escapeHtml } from '../secrets.js';
import type { ProvisionContext, ProvisioningDeps, ReadyTenant } from './context.js';

/** Odoo's datetime format, UTC */
export function odooDatetime(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * The one write-back of a finished provisioning: state, URLs, names and the chatter note in a single
 * round trip, then the welcome mail (queued once Odoo has the URL the mail shows).
 */
export async function reportRunning(
  deps: ProvisioningDeps,
  ctx: ProvisionContext,
  tenant: ReadyTenant,
  adminLogin: string,
  seconds: number,
): Promise<string> {
  const { instance, plan, names } = ctx;
  const url = publicUrl(names.host, deps.publicUrl.scheme, deps.publicUrl.port);
  await deps.odoo.updateInstance(
    instance.id,
    {
      state: 'running',
      url,
      direct_url: tenant.directUrl,
      db_name: names.db,
      container_ref: names.container,
      ...(tenant.container.node ? { node_name: tenant.container.node } : {}),
      admin_login: adminLogin,
      last_error: false,
      ...(instance.provisionedAt ? {} : { provisioned_at: odooDatetime(new Date()) }),
    },
    `Instance running at <a href="${escapeHtml(url)}">${escapeHtml(url)}</a> ` +
      `(plan ${escapeHtml(plan.name)}, database ${names.db}, ready in ${seconds.toFixed(1)} s).`,
  );
  // a crash before this line is healed by the 'already-running' path of a retry (a second add is a
  // no-op: its job id is built from the instance)
  if (!instance.provisionedAt) await deps.onRunning(instance.id, instance.subdomain);
  return url;
}

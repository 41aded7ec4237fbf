import { BridgeError } from '../errors.js';
import type { DatabasePort } from '../ports/database.port.js';
import type { TenantLimits, TenantPort, TenantSetup } from '../ports/tenant.port.js';
import { ODOO_HTTP_PORT } from '../services/tenant-runtime.js';
import { OdooClient, OdooFaultError, odooPageStatus } from './odoo.client.js';

const POLL_MS = 250;
const RPC_TIMEOUT_MS = 30_000;
// installing an app (crm, account...) into a small tenant takes tens of seconds
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const EXPIRATION_PARAM = 'saas_tenant.expiration_date';

/**
 * Written with the limits, as the platform's too: wkhtmltopdf loads a report's styles and images
 * from report.url, else from web.base.url, the tenant's public host, which a tenant container
 * cannot resolve or reach (no DNS for it here, egress rules in production): its PDFs came out
 * without layout or logo. The tenant's own HTTP port always answers inside its container.
 */
export const REPORT_URL_PARAMETERS = { 'report.url': `http://127.0.0.1:${ODOO_HTTP_PORT}` };

/**
 * The `saas_tenant.*` system parameters saas_tenant reads (models/saas_tenant_plan.py) and only the
 * bridge may change; docs/contracts.md lists them.
 */
export function limitParameters(limits: TenantLimits): Record<string, string> {
  return {
    'saas_tenant.plan_code': limits.planCode,
    'saas_tenant.plan_name': limits.planName,
    'saas_tenant.max_users': String(limits.maxUsers),
    'saas_tenant.storage_mb': String(limits.storageMb),
    'saas_tenant.expiration_date': limits.expirationDate ?? '',
    'saas_tenant.apps': [...limits.apps].sort().join(','),
    'saas_tenant.app_plans': JSON.stringify(
      Object.fromEntries(Object.entries(limits.appPlans).sort(([a], [b]) => a.localeCompare(b))),
    ),
    'saas_tenant.upgrade_url': limits.upgradeUrl,
  };
}

/**
 * A freshly started tenant Odoo, configured over JSON-RPC as the bridge's own technical user (made by
 * saas_tenant, hidden from the customer); the customer's admin (uid 2) is only ever written, never used.
 */
export class TenantOdooRepository implements TenantPort {
  /** once set up, the tenant's admin is the customer's: later writes go through the database */
  constructor(
    private readonly db: Pick<
      DatabasePort,
      'setConfigParameter' | 'getConfigParameter' | 'setConfigParameters'
    >,
  ) {}

  async applyLimits(db: string, limits: TenantLimits): Promise<string[]> {
    return this.db.setConfigParameters(db, {
      ...limitParameters(limits),
      ...REPORT_URL_PARAMETERS,
    });
  }

  async setExpiration(db: string, date: string): Promise<void> {
    await this.db.setConfigParameter(db, EXPIRATION_PARAM, date);
  }

  getExpiration(db: string): Promise<string | undefined> {
    return this.db.getConfigParameter(db, EXPIRATION_PARAM);
  }

  async setBaseUrl(db: string, url: string): Promise<void> {
    await this.db.setConfigParameters(db, { 'web.base.url': url, 'web.base.url.freeze': 'True' });
  }

  async waitReady(baseUrl: string, timeoutMs: number): Promise<number> {
    const started = Date.now();
    let last: number | undefined;
    while (Date.now() - started < timeoutMs) {
      last = await odooPageStatus(`${baseUrl}/web/login`, 5_000);
      if (last === 200) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new BridgeError(
      'tenant_not_ready',
      `tenant at ${baseUrl} did not answer 200 on /web/login within ${Math.round(timeoutMs / 1000)} s (last: ${last ?? 'no answer'})`,
    );
  }

  async canLogin(baseUrl: string, db: string, login: string, password: string): Promise<boolean> {
    const client = new OdooClient({ url: baseUrl, db, login, password, timeoutMs: RPC_TIMEOUT_MS });
    try {
      await client.authenticate();
      return true;
    } catch (err) {
      if (err instanceof OdooFaultError) return false;
      throw err;
    }
  }

  async configure(
    baseUrl: string,
    db: string,
    bridge: { login: string; key: string },
    setup: TenantSetup,
  ): Promise<void> {
    const client = await this.bridgeClient(baseUrl, db, bridge, RPC_TIMEOUT_MS);
    const { limits } = setup;
    // one round trip: company, plan limits and the customer's admin (uid 2), in saas_tenant
    await client.executeKw('saas.tenant.bridge', 'apply_setup', [
      {
        company_name: setup.companyName,
        company_email: setup.companyEmail ?? false,
        admin_login: setup.adminLogin,
        admin_password: setup.adminPassword,
        multi_company: setup.multiCompany,
        plan_code: limits.planCode,
        max_users: limits.maxUsers,
        storage_mb: limits.storageMb,
        expiration_date: limits.expirationDate ?? false,
        base_url: setup.baseUrl,
        lang: setup.lang ?? false,
        country_code: setup.countryCode ?? false,
        currency: setup.currency ?? false,
        tz: setup.tz ?? false,
        mail_domain: setup.mail?.mailDomain ?? false,
        mail_server: setup.mail
          ? {
              host: setup.mail.relay.host,
              port: setup.mail.relay.port,
              user: setup.mail.relay.user ?? false,
              password: setup.mail.relay.password ?? false,
              encryption: setup.mail.relay.encryption,
            }
          : false,
      },
    ]);
  }

  async installModules(
    baseUrl: string,
    db: string,
    bridge: { login: string; key: string },
    modules: string[],
  ): Promise<string[]> {
    const client = await this.bridgeClient(baseUrl, db, bridge, INSTALL_TIMEOUT_MS);
    const installed = await client.executeKw('saas.tenant.bridge', 'install_plan_modules', [
      [...modules].sort(),
    ]);
    if (!Array.isArray(installed) || !installed.every((name) => typeof name === 'string'))
      throw new BridgeError(
        'odoo_bad_answer',
        `tenant ${db} answered no list of installed modules: ${JSON.stringify(installed)}`,
      );
    return installed;
  }

  private async bridgeClient(
    baseUrl: string,
    db: string,
    bridge: { login: string; key: string },
    timeoutMs: number,
  ): Promise<OdooClient> {
    // the technical user's id differs per template: one authenticate (an API key check is cheap)
    const client = new OdooClient({
      url: baseUrl,
      db,
      login: bridge.login,
      password: bridge.key,
      timeoutMs,
    });
    try {
      await client.authenticate();
    } catch (err) {
      if (err instanceof OdooFaultError)
        throw new BridgeError(
          'odoo_fault',
          `tenant ${db} refuses the bridge's technical user ${bridge.login} (template without it, or TENANT_BRIDGE_SECRET changed?)`,
          true,
          { cause: err },
        );
      throw err;
    }
    return client;
  }
}

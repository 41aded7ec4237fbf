import { BridgeError } from '../errors.js';
import type { DatabasePort } from '../ports/database.port.js';
import type { TenantPort, TenantSetup } from '../ports/tenant.port.js';
import { OdooClient, OdooFaultError, odooPageStatus } from './odoo.client.js';

const POLL_MS = 250;
const RPC_TIMEOUT_MS = 30_000;
/** the tenant's first user (base.user_admin) */
const ADMIN_UID = 2;
const EXPIRATION_PARAM = 'saas_tenant.expiration_date';

/** A freshly started tenant Odoo, configured over JSON-RPC as its administrator. */
export class TenantOdooRepository implements TenantPort {
  /** once set up, the tenant's admin is the customer's: later writes go through the database */
  constructor(private readonly db: Pick<DatabasePort, 'setConfigParameter'>) {}

  async setExpiration(db: string, date: string): Promise<void> {
    await this.db.setConfigParameter(db, EXPIRATION_PARAM, date);
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
    current: { login: string; password: string },
    setup: TenantSetup,
  ): Promise<boolean> {
    // the admin's uid is known: no authenticate round (each costs a password hash check)
    const client = new OdooClient({
      url: baseUrl,
      db,
      ...current,
      timeoutMs: RPC_TIMEOUT_MS,
      uid: ADMIN_UID,
    });
    let companies: unknown;
    try {
      companies = await client.executeKw('res.company', 'search', [[]], { limit: 1, order: 'id' });
    } catch (err) {
      if (err instanceof OdooFaultError && /AccessDenied/.test(err.faultName)) return false;
      throw err;
    }
    if (!Array.isArray(companies) || typeof companies[0] !== 'number') {
      throw new BridgeError('odoo_bad_answer', `tenant ${db} has no company`);
    }
    await client.executeKw('res.company', 'write', [
      [companies[0]],
      { name: setup.companyName, email: setup.companyEmail ?? false },
    ]);
    const { limits } = setup;
    const params: Record<string, string> = {
      'saas_tenant.plan_code': limits.planCode,
      'saas_tenant.max_users': String(limits.maxUsers),
      'saas_tenant.storage_mb': String(limits.storageMb),
      [EXPIRATION_PARAM]: limits.expirationDate ?? '',
    };
    for (const [key, value] of Object.entries(params)) {
      await client.executeKw('ir.config_parameter', 'set_param', [key, value]);
    }
    // Last, in one write: the password in use by this client stops working once it changes.
    await client.executeKw('res.users', 'write', [
      [ADMIN_UID],
      {
        login: setup.adminLogin,
        email: setup.companyEmail ?? setup.adminLogin,
        name: setup.companyName,
        password: setup.adminPassword,
      },
    ]);
    return true;
  }
}

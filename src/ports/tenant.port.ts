export interface TenantLimits {
  planCode: string;
  maxUsers: number;
  storageMb: number;
  expirationDate: string | undefined;
}

export interface TenantSetup {
  companyName: string;
  companyEmail: string | undefined;
  lang: string | undefined;
  adminLogin: string;
  adminPassword: string;
  limits: TenantLimits;
}

/** JSON-RPC to a tenant Odoo, addressed by its base URL. */
export interface TenantPort {
  /** writes saas_tenant.expiration_date (YYYY-MM-DD) into the tenant's database */
  setExpiration(db: string, date: string): Promise<void>;
  /**
   * the plan's limits (the saas_tenant.* keys apply_setup wrote at set-up) written again into the
   * tenant's database, e.g. after a plan change; the running Odoo drops its caches
   */
  applyLimits(db: string, limits: TenantLimits): Promise<void>;
  /** resolves when GET /web/login answers 200; throws tenant_not_ready after timeoutMs */
  waitReady(baseUrl: string, timeoutMs: number): Promise<number>;
  /** true when login/password are accepted by the tenant's database */
  canLogin(baseUrl: string, db: string, login: string, password: string): Promise<boolean>;
  /**
   * Company, limits, the customer's admin login and password (uid 2), applied as the bridge's own
   * technical user with its API key; the same set-up applied twice gives the same tenant.
   */
  configure(
    baseUrl: string,
    db: string,
    bridge: { login: string; key: string },
    setup: TenantSetup,
  ): Promise<void>;
}

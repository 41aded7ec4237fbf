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
  /** resolves when GET /web/login answers 200; throws tenant_not_ready after timeoutMs */
  waitReady(baseUrl: string, timeoutMs: number): Promise<number>;
  /** true when login/password are accepted by the tenant's database */
  canLogin(baseUrl: string, db: string, login: string, password: string): Promise<boolean>;
  /**
   * Company, limits, admin login, and the password last (the old credentials stop working).
   * Returns false, changing nothing, when the tenant refuses `current` (set up before).
   */
  configure(
    baseUrl: string,
    db: string,
    current: { login: string; password: string },
    setup: TenantSetup,
  ): Promise<boolean>;
}

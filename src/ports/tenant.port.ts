/**
 * What a plan allows inside a tenant, as saas_tenant reads it (docs/contracts.md, "Tenant addon"):
 * built by services/tenant-limits.ts, written by `applyLimits`.
 */
export interface TenantLimits {
  planCode: string;
  planName: string;
  /** internal users; 0 = unlimited */
  maxUsers: number;
  /** database + filestore; 0 = unlimited */
  storageMb: number;
  expirationDate: string | undefined;
  /** technical names of the apps the plan includes (installed ones and installable ones) */
  apps: string[];
  /** app -> name of the cheapest other plan that includes it, for the apps this plan lacks */
  appPlans: Record<string, string>;
  /** where the customer upgrades (the portal's page of the instance) */
  upgradeUrl: string;
}

/** the platform's SMTP relay as a tenant's outgoing mail server (TENANT_SMTP_*) */
export interface TenantMailRelay {
  host: string;
  port: number;
  user: string | undefined;
  /** a secret: from the environment into the tenant's mail server, never into job data or logs */
  password: string | undefined;
  encryption: 'none' | 'starttls' | 'ssl';
}

export interface TenantSetup {
  companyName: string;
  companyEmail: string | undefined;
  lang: string | undefined;
  /** the owner's country (ISO code), currency and time zone; each left as the template has it when absent */
  countryCode?: string | undefined;
  currency?: string | undefined;
  tz?: string | undefined;
  /** the outgoing mail server, sending for `mailDomain` (the tenant's host); none: left alone */
  mail?: { relay: TenantMailRelay; mailDomain: string } | undefined;
  adminLogin: string;
  adminPassword: string;
  /** the customer's admin may create and switch companies */
  multiCompany: boolean;
  /** web.base.url (frozen): where customers reach it, https behind the proxy */
  baseUrl: string;
  /** what apply_setup writes too (the full set goes through `applyLimits`) */
  limits: Pick<TenantLimits, 'planCode' | 'maxUsers' | 'storageMb' | 'expirationDate'>;
}

/** JSON-RPC to a tenant Odoo, addressed by its base URL. */
export interface TenantPort {
  /** writes saas_tenant.expiration_date (YYYY-MM-DD) into the tenant's database */
  setExpiration(db: string, date: string): Promise<void>;
  /** the saas_tenant.expiration_date the tenant holds (set up at provisioning), if any */
  getExpiration(db: string): Promise<string | undefined>;
  /** web.base.url (frozen) straight into the database: the name links in mails and the portal use */
  setBaseUrl(db: string, url: string): Promise<void>;
  /**
   * Writes the plan's limits (the `saas_tenant.*` keys) into the tenant's database, whether its
   * container runs or not; only the keys that differ are written (and only then does the tenant
   * drop its caches). Answers the keys it changed.
   */
  applyLimits(db: string, limits: TenantLimits): Promise<string[]>;
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
  /**
   * Installs the modules of the tenant's (new) plan it lacks, as the bridge's technical user, into the
   * running tenant (saas_tenant refuses any outside its `saas_tenant.apps`). Answers those installed.
   */
  installModules(
    baseUrl: string,
    db: string,
    bridge: { login: string; key: string },
    modules: string[],
  ): Promise<string[]>;
}

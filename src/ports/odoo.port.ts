import { CONTRACT, sameAsContract } from '../contract.js';

/** What the services need from the master Odoo, which holds the truth about instances and plans. */
export const INSTANCE_STATES = sameAsContract(
  'instance states',
  [
    'draft',
    'provisioning',
    'running',
    'suspended',
    'terminating',
    'terminated',
    'error',
    'waiting_capacity',
  ] as const,
  CONTRACT.instance_states,
);
export type InstanceState = (typeof INSTANCE_STATES)[number];
/** facts the bridge writes besides the state; `sleeping`: a running instance whose container is stopped */
export const INSTANCE_FLAGS = sameAsContract(
  'instance flags',
  ['sleeping'] as const,
  CONTRACT.instance_flags,
);

export interface InstanceRecord {
  id: number;
  /**
   * The tenant's stable id, set by the master at creation and never changed: database, role,
   * container and data dir are named from it (services/tenant-identity.ts), the subdomain only routes.
   */
  tenantRef: string;
  subdomain: string;
  state: InstanceState;
  planId: number;
  partnerId: number;
  partnerName: string;
  partnerEmail: string | undefined;
  companyName: string | undefined;
  /** set up for several companies (the admin's Create instance option) */
  multiCompany?: boolean;
  /** Odoo language code of the customer, e.g. es_ES */
  lang: string | undefined;
  /** the buyer's country (ISO code, e.g. ES), its currency (EUR) and time zone (Europe/Madrid) */
  countryCode?: string | undefined;
  currency?: string | undefined;
  tz?: string | undefined;
  expirationDate: string | undefined;
  url: string | undefined;
  dbName: string | undefined;
  containerRef: string | undefined;
  /** the host or Swarm node the bridge last saw the tenant on */
  node?: string;
  adminLogin: string | undefined;
  /** the customer's first password, kept in Odoo until shown once in the portal */
  initialPassword: string | undefined;
  provisionedAt: string | undefined;
  /** when a purge deleted the tenant's data; the subdomain is free again from then on */
  purgedAt: string | undefined;
  /**
   * A copy for testing: the saas.backup (of another instance) whose database and filestore this
   * instance is provisioned from, instead of its plan's template.
   */
  copyOfBackupId?: number | undefined;
  /** verified custom domains: hosts routed to the tenant besides its subdomain */
  customDomains?: string[] | undefined;
  /** saas_tenant's version in the tenant's database, as last recorded on the instance */
  tenantVersion?: string | undefined;
  /**
   * hibernated: running for the subscription, its container stopped until a visitor wakes it
   * (docs/hibernation.md); never a state
   */
  sleeping?: boolean;
  /** when it fell asleep (UTC, `YYYY-MM-DD HH:MM:SS`) */
  sleepingSince?: string | undefined;
}

export interface PlanRecord {
  id: number;
  code: string;
  name: string;
  periodMonths: number;
  trialDays: number;
  maxUsers: number;
  storageMb: number;
  cpuLimit: number;
  memoryMb: number;
  workers: number;
  modules: string[];
  /** Odoo's db_maxconn for its tenants (undefined: services/tenant-sizing.ts DEFAULT_DB_MAXCONN) */
  dbMaxconn?: number;
  /** what one of its tenants is expected to use (MiB, idle-ish), which capacity counts; undefined: a default */
  expectedMemoryMb?: number;
  /** apps the customer may install besides `modules` (saas_apps); none when absent */
  apps?: string[];
  /** list price per period: of two plans with an app, the tenant names the cheaper */
  price?: number;
  /** minutes without a request before its tenants sleep (saas_idle_minutes); 0 or absent: never */
  idleMinutes?: number;
}

export interface InstancePatch {
  state?: InstanceState;
  url?: string;
  direct_url?: string;
  db_name?: string;
  container_ref?: string;
  node_name?: string;
  admin_login?: string;
  initial_password?: string;
  last_error?: string | false;
  provisioned_at?: string;
  suspended_since?: string | false;
  expiration_date?: string;
  purged_at?: string;
  /** why the instance waits for room on the host (state waiting_capacity) */
  capacity_reason?: string | false;
  /** measured from outside by the usage job */
  usage_users?: number;
  usage_db_mb?: number;
  usage_filestore_mb?: number;
  /** the saas_tenant version the tenant's database holds (rolling updates) */
  tenant_version?: string;
  /** hibernation: container stopped, route to the wake handler (docs/hibernation.md) */
  sleeping?: boolean;
  /**
   * a warm spare's ref, handed to an instance that never ran (the master refuses it afterwards):
   * the instance's names become the spare's, whose tenant is already cloned and booted
   */
  tenant_ref?: string;
  sleeping_since?: string | false;
}

export interface OdooPort {
  /** throws when the master cannot be reached or refuses the technical user */
  ping(): Promise<void>;
  /** the master database's uuid: the owner every tenant resource of this master is labelled with */
  ownerId(): Promise<string>;
  getInstance(id: number): Promise<InstanceRecord | undefined>;
  listInstances(): Promise<InstanceRecord[]>;
  getPlan(id: number): Promise<PlanRecord>;
  listPlans(): Promise<PlanRecord[]>;
  /** writes the patch; with `note`, also posts it in the chatter, in the same round trip */
  updateInstance(id: number, patch: InstancePatch, note?: string): Promise<void>;
  /** a note in the instance's chatter (HTML is escaped by the caller) */
  postNote(id: number, body: string): Promise<void>;
  /**
   * The portal page (with its access token) of the instance's invoice while it is open, asked when a
   * mail goes, never kept; undefined when it is paid, cancelled or not this instance's.
   */
  invoicePayUrl(instanceId: number, invoiceId: number): Promise<string | undefined>;
}

import type { Logger } from '../../observability/logger.js';
import type { BackupCopyPort } from '../../ports/backup.port.js';
import type { DatabasePort } from '../../ports/database.port.js';
import type { ContainerInfo, DockerPort } from '../../ports/docker.port.js';
import type { FilestorePort } from '../../ports/filestore.port.js';
import type { InstanceRecord, OdooPort, PlanRecord } from '../../ports/odoo.port.js';
import type { ProxyPort } from '../../ports/proxy.port.js';
import type { TenantMailRelay, TenantPort } from '../../ports/tenant.port.js';
import type { CapacityService } from '../capacity.service.js';
import type { TemplateService } from '../template.service.js';
import type { TenantLimitsService } from '../tenant-limits.js';
import type { TenantIdentity, TenantNames } from '../tenant-identity.js';
import type { TenantRuntime } from '../tenant-runtime.js';

export interface ProvisioningDeps {
  odoo: OdooPort;
  tenant: TenantPort;
  db: DatabasePort;
  docker: DockerPort;
  filestore: FilestorePort;
  proxy: ProxyPort;
  templates: TemplateService;
  /** template (a clone, the default) or fresh (an -i install per tenant: npm run bench's naive path) */
  databaseSource?: 'template' | 'fresh';
  limits: Pick<TenantLimitsService, 'apply'>;
  runtime: TenantRuntime;
  identity: TenantIdentity;
  logger: Logger;
  publicUrl: { baseDomain: string; scheme: 'http' | 'https'; port: number | undefined };
  readyTimeoutMs: number;
  /** the relay each new tenant gets as its outgoing mail server; none: tenants get no server */
  mailRelay?: TenantMailRelay;
  /** checks the host has room before a tenant is created; none: every tenant fits */
  capacity?: CapacityService;
  /** where a copy of an instance (copyOfBackupId) gets its database and files; none: no copies */
  copies?: BackupCopyPort;
  /** warm spares an order may take instead of a clone and a boot; none: every order clones */
  spares?: SpareHandover;
  /** after a spare was taken: queues the job that makes a new one */
  onSpareTaken?(plan: PlanRecord): Promise<void>;
  /** queues the welcome mail once the tenant is usable */
  onRunning(instanceId: number, subdomain: string): Promise<void>;
}

/** a warm spare one instance holds the claim of */
export interface ClaimedSpare {
  ref: string;
  container: ContainerInfo;
}

/** How provisioning takes a warm spare (services/spare.service.ts). */
export interface SpareHandover {
  /** a ready spare of the plan cloned from `template`, claimed for the instance; none: no spare */
  claim(
    plan: PlanRecord,
    template: string,
    instance: Pick<InstanceRecord, 'id'>,
  ): Promise<ClaimedSpare | undefined>;
  release(ref: string, instance: Pick<InstanceRecord, 'id'>): Promise<void>;
  /** the spare's database and role get the instance's marker */
  adopt(instance: Pick<InstanceRecord, 'id' | 'tenantRef'>): Promise<void>;
  /** the database under the instance's names still carries the spare marker */
  isUnadopted(instance: Pick<InstanceRecord, 'tenantRef'>): Promise<boolean>;
}

/** What one provisioning run knows; each step reads it and adds what it found or made. */
export interface ProvisionContext {
  instance: InstanceRecord;
  plan: PlanRecord;
  names: TenantNames;
  /** the container as looked up once at the start; cleared when a step removes it */
  container: ContainerInfo | undefined;
  /** the customer's first password (kept in Odoo before the tenant gets it); none once provisioned */
  initialPassword: string | undefined;
  log: Logger;
}

/** a tenant Odoo that answers, at this address */
export interface ReadyTenant {
  container: ContainerInfo & { ip: string };
  directUrl: string;
}

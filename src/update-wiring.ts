import path from 'node:path';
import { addonVersion } from './adapters/addon-manifest.js';
import { MasterRolloutRepository } from './adapters/master-rollout.repository.js';
import type { OdooClient } from './adapters/odoo.client.js';
import type { Config } from './config.js';
import { errorMessage } from './errors.js';
import type { InstanceLockWrapper } from './jobs/instance-lock.js';
import { updateInstanceJob } from './jobs/update-instance.job.js';
import type { Logger } from './observability/logger.js';
import type { DatabasePort } from './ports/database.port.js';
import type { DockerPort } from './ports/docker.port.js';
import type { FilestorePort } from './ports/filestore.port.js';
import type { JobDefinition } from './ports/jobs.port.js';
import type { OdooPort } from './ports/odoo.port.js';
import type { ProxyPort } from './ports/proxy.port.js';
import type { TenantPort } from './ports/tenant.port.js';
import type { ModuleVersionsPort, UpdateBackupPort } from './ports/update.port.js';
import type { TenantIdentity } from './services/tenant-identity.js';
import { TENANT_ADDON, type TenantRuntime } from './services/tenant-runtime.js';
import { TenantUpdateService } from './services/tenant-update.service.js';

/** an `-u` of saas_tenant takes seconds; a base update of a large tenant, minutes */
export const UPDATE_TIMEOUT_MS = 15 * 60_000;

export interface UpdateWiringDeps {
  config: Config;
  odooClient: OdooClient;
  odoo: OdooPort;
  docker: DockerPort;
  db: DatabasePort & ModuleVersionsPort;
  tenant: TenantPort;
  proxy: ProxyPort;
  filestore: FilestorePort;
  identity: TenantIdentity;
  runtime: TenantRuntime;
  /** the backups' service (InstanceBackupService) */
  backups: UpdateBackupPort;
  oneJobPerInstance: InstanceLockWrapper;
  logger: Logger;
}

/**
 * Rolling updates (issue 14), built from the adapters wiring already has: the update-instance
 * job, and `announce()`, which tells the master the saas_tenant version this bridge mounts, so
 * a new rollout targets it.
 */
export function wireUpdates(deps: UpdateWiringDeps): {
  jobs: JobDefinition[];
  announce(): Promise<void>;
} {
  const records = new MasterRolloutRepository(deps.odooClient);
  const availableVersion = () => addonVersion(path.join(deps.runtime.saasAddonsDir, TENANT_ADDON));
  const updates = new TenantUpdateService({
    odoo: deps.odoo,
    records,
    backups: deps.backups,
    docker: deps.docker,
    db: deps.db,
    versions: deps.db,
    tenant: deps.tenant,
    proxy: deps.proxy,
    identity: deps.identity,
    runtime: deps.runtime,
    dataDirOf: (db) => deps.filestore.dataDirOf(db),
    availableVersion,
    readyTimeoutMs: deps.config.jobs.readyTimeoutMs,
    updateTimeoutMs: UPDATE_TIMEOUT_MS,
    logger: deps.logger,
  });
  return {
    jobs: [updateInstanceJob({ updates, oneJobPerInstance: deps.oneJobPerInstance })],
    async announce() {
      try {
        const version = await availableVersion();
        await records.setAvailableVersion(version);
        const recorded = await updates.recordVersions();
        deps.logger.info(
          { version, recorded },
          `${TENANT_ADDON} version offered to the master, tenants' versions recorded`,
        );
      } catch (err) {
        // an older master without rollouts, or a master still starting: rollouts wait for the next start
        deps.logger.warn(
          { err: errorMessage(err) },
          'could not tell the master our tenant version',
        );
      }
    },
  };
}

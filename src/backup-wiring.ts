import path from 'node:path';
import type { Router } from 'express';
import { MasterBackupRepository } from './adapters/master-backup.repository.js';
import { writeOdooBackupZip } from './adapters/odoo-backup-zip.js';
import type { OdooClient } from './adapters/odoo.client.js';
import { PgDumpAdapter } from './adapters/pg-dump.adapter.js';
import { ResticAdapter } from './adapters/restic.adapter.js';
import type { Config } from './config.js';
import { BridgeError } from './errors.js';
import { backupDownloadRoute } from './http/backup-download.route.js';
import { backupJobDefinitions, backupSchedules } from './jobs/backup.jobs.js';
import type { InstanceLockWrapper } from './jobs/instance-lock.js';
import { backupObserver } from './observability/backup-observer.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import type { DatabasePort } from './ports/database.port.js';
import type { DockerPort } from './ports/docker.port.js';
import type { FilestorePort } from './ports/filestore.port.js';
import type { EnqueueBackupJob, JobDefinition } from './ports/jobs.port.js';
import type { OdooPort } from './ports/odoo.port.js';
import type { ProxyPort } from './ports/proxy.port.js';
import type { TenantPort } from './ports/tenant.port.js';
import { BackupService } from './services/backup.service.js';
import type { BackupJobRequest } from './services/backup-intake.js';
import { InstanceBackupService } from './services/instance-backup.service.js';
import type { TenantIdentity } from './services/tenant-identity.js';

export interface BackupWiringDeps {
  config: Config;
  odooClient: OdooClient;
  odoo: OdooPort;
  db: DatabasePort;
  docker: DockerPort;
  proxy: ProxyPort;
  tenant: TenantPort;
  filestore: FilestorePort;
  identity: TenantIdentity;
  metrics: Metrics;
  logger: Logger;
}

export interface BackupWiring {
  instanceBackups: InstanceBackupService;
  /** GET /v1/backups/download, for createApp's extraRoutes */
  downloadRoute: Router;
  /** the job definitions for the registry, once given the queue and the per-instance lock */
  jobs(enqueue: EnqueueBackupJob, oneJobPerInstance: InstanceLockWrapper): JobDefinition[];
  /** for the intake: EventIntakeService(queue, enqueueBackup) */
  enqueueBackup(enqueue: EnqueueBackupJob): (job: BackupJobRequest) => Promise<string>;
  /** job schedulers to register at start (JobQueuePort.every) */
  schedules: ReturnType<typeof backupSchedules>;
}

/**
 * Everything backups need, built from config and the adapters main already has. Wiring (three
 * lines): jobs into the registry, downloadRoute into createApp, schedules with every().
 */
export function wireBackups(deps: BackupWiringDeps): BackupWiring {
  const { config } = deps;
  if (!config.backup.password)
    throw new BridgeError(
      'backups_not_configured',
      'RESTIC_PASSWORD is not set (see .env.example)',
      true,
    );
  const repository = new ResticAdapter({
    repositoryBase: path.resolve(config.backup.repositoryBase),
    password: config.backup.password,
    storageEnv: config.backup.storageEnv,
    host: 'saas-bridge',
  });
  const backups = new BackupService({
    repository,
    dumps: new PgDumpAdapter(config.postgres.adminUrl, deps.db),
    logger: deps.logger,
  });
  const instanceBackups = new InstanceBackupService({
    odoo: deps.odoo,
    records: new MasterBackupRepository(deps.odooClient),
    backups,
    docker: deps.docker,
    proxy: deps.proxy,
    tenant: deps.tenant,
    dataDirOf: (db) => deps.filestore.dataDirOf(db),
    identity: deps.identity,
    readyTimeoutMs: config.jobs.readyTimeoutMs,
    master: {
      database: config.odoo.db,
      filestoreDir: config.backup.masterFilestoreDir,
      keep: config.backup.masterKeep,
    },
    observer: backupObserver(deps.metrics),
    logger: deps.logger,
  });
  const downloadRoute = backupDownloadRoute({
    sharedSecret: config.sharedSecret,
    now: Date.now,
    logger: deps.logger,
    prepare: async (instanceId, snapshotId) => {
      const { key, set, filename } = await instanceBackups.downloadable(instanceId, snapshotId);
      return {
        filename,
        write: (out) => writeOdooBackupZip(out, backups, repository, key, set),
      };
    },
  });
  return {
    instanceBackups,
    downloadRoute,
    jobs: (enqueue, oneJobPerInstance) =>
      backupJobDefinitions({
        instanceBackups,
        enqueue,
        oneJobPerInstance,
        checkReadData: config.backup.checkReadData,
      }),
    enqueueBackup: (enqueue) => (job) => enqueue(job.name, job.data, { jobId: job.jobId }),
    schedules: backupSchedules({ masterIntervalHours: config.backup.masterIntervalHours }),
  };
}

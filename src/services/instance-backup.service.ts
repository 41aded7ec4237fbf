import path from 'node:path';
import { BridgeError, errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type {
  BackupCopyPort,
  BackupKind,
  BackupRecordsPort,
  CopyTarget,
  FinalBackupPort,
  FinalBackupTarget,
} from '../ports/backup.port.js';
import type { DockerPort } from '../ports/docker.port.js';
import type { InstanceRecord, OdooPort } from '../ports/odoo.port.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import type { TenantPort } from '../ports/tenant.port.js';
import type { UpdateBackupPort } from '../ports/update.port.js';
import { dueBackups } from './backup-schedule.js';
import type { BackupOutcome, BackupService, BackupSet, BackupSubject } from './backup.service.js';
import { escapeHtml } from './secrets.js';
import type { TenantIdentity } from './tenant-identity.js';
import { ODOO_HTTP_PORT } from './tenant-runtime.js';

/** the repository of the master's own backups */
export const MASTER_BACKUP_KEY = 'master';
/** keep count when a plan has none (an old master without the plan fields) */
const DEFAULT_KEEP = 7;
const DEFAULT_INTERVAL_HOURS = 24;

/** States whose instance has a database worth backing up (terminated: the final backup). */
const BACKUP_STATES = new Set(['running', 'suspended', 'terminating', 'terminated']);
const RESTORE_STATES = new Set(['running', 'suspended']);

export interface BackupObserver {
  finished(kind: BackupKind, outcome: 'done' | 'failed', seconds: number | undefined): void;
  /** seconds since the newest finished backup, per instance ("master" for the master) */
  newestAge(instance: string, seconds: number): void;
}

export interface InstanceBackupDeps {
  odoo: OdooPort;
  records: BackupRecordsPort;
  backups: BackupService;
  docker: DockerPort;
  proxy: ProxyPort;
  tenant: TenantPort;
  /** host path of a database's Odoo data dir (FilestorePort.dataDirOf) */
  dataDirOf(db: string): string;
  /** names (from the tenant ref) and route labels of each instance */
  identity: TenantIdentity;
  readyTimeoutMs: number;
  master: { database: string; filestoreDir: string | undefined; keep: number };
  observer: BackupObserver;
  logger: Logger;
  now?: () => number;
}

export interface BackupRequest {
  instanceId: number;
  kind: BackupKind;
  /** the pending record the master made for "Backup now" */
  backupRecordId?: number | undefined;
}

export interface RestoreRequest {
  instanceId: number;
  /** any snapshot id of the backup, or its backup id */
  snapshotId: string;
  requestedBy: string;
}

/** Backups and restores of instances and of the master, recorded as saas.backup in the master. */
export class InstanceBackupService implements FinalBackupPort, BackupCopyPort, UpdateBackupPort {
  private readonly now: () => number;

  constructor(private readonly deps: InstanceBackupDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * The backup a purge makes before it deletes anything (FinalBackupPort): of any instance whose
   * database still exists, whatever its state, recorded as kind `final` and kept after the purge
   * (the tenant's repository is not removed with the tenant).
   */
  async finalBackup(target: FinalBackupTarget): Promise<{ snapshotId: string }> {
    const instance = await this.load(target.instanceId);
    const plan = await this.deps.odoo.getPlan(instance.planId);
    const recordId = await this.deps.records.ensureBackupRecord(
      `final-${instance.id}`,
      instance.id,
      'final',
    );
    const subject = { ...this.subjectOf(instance, { plan: plan.code }), database: target.db };
    const outcome = await this.recorded(recordId, subject, 'final');
    return { snapshotId: outcome.snapshotId };
  }

  async backupInstance(request: BackupRequest, jobRef: string): Promise<string> {
    const instance = await this.load(request.instanceId);
    if (!BACKUP_STATES.has(instance.state)) {
      if (request.kind === 'scheduled') return `skipped: instance is ${instance.state}`;
      throw new BridgeError(
        'backup_failed',
        `instance ${instance.id} is ${instance.state}: nothing to back up`,
        true,
      );
    }
    const plan = await this.deps.odoo.getPlan(instance.planId);
    const policy = (await this.deps.records.backupPolicies()).get(plan.id);
    const recordId = await this.deps.records.ensureBackupRecord(
      jobRef,
      instance.id,
      request.kind,
      request.backupRecordId,
    );
    const subject = this.subjectOf(instance, { plan: plan.code });
    const outcome = await this.recorded(recordId, subject, request.kind);
    const { keptSnapshots } = await this.deps.backups.applyRetention(
      subject.key,
      policy?.keep ?? DEFAULT_KEEP,
    );
    await this.deps.records.pruneBackupRecords(instance.id, keptSnapshots);
    this.deps.observer.newestAge(String(instance.id), 0);
    return `backup ${outcome.snapshotId} (${outcome.sizeMb} MB in ${outcome.durationS} s)`;
  }

  async backupMaster(jobRef: string): Promise<string> {
    const { master } = this.deps;
    const recordId = await this.deps.records.ensureBackupRecord(jobRef, undefined, 'scheduled');
    const outcome = await this.recorded(
      recordId,
      {
        key: MASTER_BACKUP_KEY,
        database: master.database,
        filestoreDir: master.filestoreDir,
        labels: { instance: 'master' },
      },
      'scheduled',
    );
    const { keptSnapshots } = await this.deps.backups.applyRetention(
      MASTER_BACKUP_KEY,
      master.keep,
    );
    await this.deps.records.pruneBackupRecords(undefined, keptSnapshots);
    this.deps.observer.newestAge('master', 0);
    return `master backup ${outcome.snapshotId} (${outcome.sizeMb} MB)`;
  }

  /** after the last attempt: the admin sees the reason on the instance; the tenant runs on */
  async recordFailure(request: BackupRequest | undefined, jobRef: string, err: unknown) {
    const why = errorMessage(err);
    const recordId = await this.deps.records.ensureBackupRecord(
      jobRef,
      request?.instanceId,
      request?.kind ?? 'scheduled',
      request?.backupRecordId,
    );
    await this.deps.records.updateBackupRecord(recordId, { state: 'failed', error: why });
    this.deps.observer.finished(request?.kind ?? 'scheduled', 'failed', undefined);
    if (request)
      await this.deps.odoo.postNote(request.instanceId, `Backup failed: ${escapeHtml(why)}`);
  }

  /**
   * Rolls an instance back: a before-restore backup first, then the tenant is stopped, its
   * database and filestore replaced, and started again behind the same route (identity kept:
   * same database, role, secret and uuid as in the backup).
   */
  async restoreInstance(request: RestoreRequest, jobRef: string): Promise<string> {
    const instance = await this.load(request.instanceId);
    if (!RESTORE_STATES.has(instance.state))
      throw new BridgeError(
        'backup_failed',
        `instance ${instance.id} is ${instance.state}: it cannot be restored`,
        true,
      );
    const subject = this.subjectOf(instance, {});
    // refuses an unknown snapshot before anything is stopped
    await this.deps.backups.find(subject.key, request.snapshotId);
    await this.backupInstance(
      { instanceId: instance.id, kind: 'before-restore' },
      `${jobRef}-before-restore`,
    );
    const started = this.now();
    const container = this.deps.identity.namesOf(instance).container;
    await this.deps.docker.stopContainer(container);
    await this.deps.backups.restore(subject.key, request.snapshotId, {
      database: subject.database,
      owner: subject.database,
      filestoreDir: subject.filestoreDir,
    });
    if (instance.state === 'running') await this.startAgain(instance, container);
    const seconds = ((this.now() - started) / 1000).toFixed(1);
    await this.deps.odoo.postNote(
      instance.id,
      `Restored to backup ${escapeHtml(request.snapshotId)} (asked by ${escapeHtml(request.requestedBy)}) in ${seconds} s; the state before it was backed up first.`,
    );
    return `restored ${request.snapshotId} in ${seconds} s`;
  }

  /**
   * The backup a rolling update starts from (UpdateBackupPort): kind before-update, recorded on
   * the instance's backup list like any other, with the plan's retention applied.
   */
  async backupBeforeUpdate(instanceId: number, jobRef: string): Promise<string> {
    const instance = await this.load(instanceId);
    const plan = await this.deps.odoo.getPlan(instance.planId);
    const recordId = await this.deps.records.ensureBackupRecord(
      jobRef,
      instance.id,
      'before-update',
    );
    const subject = this.subjectOf(instance, { plan: plan.code });
    const outcome = await this.recorded(recordId, subject, 'before-update');
    this.deps.observer.newestAge(String(instance.id), 0);
    return outcome.snapshotId;
  }

  /**
   * A failed update's rollback (UpdateBackupPort): database and filestore back to the snapshot
   * taken before it; the caller has stopped the tenant and starts it again.
   */
  async restoreSnapshot(instanceId: number, snapshotId: string): Promise<void> {
    const instance = await this.load(instanceId);
    const subject = this.subjectOf(instance, {});
    await this.deps.backups.restore(subject.key, snapshotId, {
      database: subject.database,
      owner: subject.database,
      filestoreDir: subject.filestoreDir,
    });
  }

  /**
   * A copy of an instance for testing (BackupCopyPort): the database and filestore of one of its
   * finished backups written into a new instance's own database and filestore. Only the
   * database and data dir named in `target` are touched; the source instance is not.
   */
  async restoreCopy(
    backupRecordId: number,
    target: CopyTarget,
  ): Promise<{ sourceInstanceId: number; snapshotId: string }> {
    const record = await this.deps.records.getBackupRecord(backupRecordId);
    if (!record?.instanceId || !record.snapshotId || record.state !== 'done')
      throw new BridgeError(
        'backup_not_found',
        `saas.backup ${backupRecordId} is not a finished backup of an instance`,
        true,
      );
    const source = await this.load(record.instanceId);
    const key = this.subjectOf(source, {}).key;
    if (key === target.database)
      throw new BridgeError('backup_failed', `a copy cannot overwrite its source ${key}`, true);
    await this.deps.backups.restore(key, record.snapshotId, target);
    return { sourceInstanceId: source.id, snapshotId: record.snapshotId };
  }

  /**
   * The master decided a purged tenant's final backup has been kept long enough: its repository
   * goes (every backup of it, in one removal) and its saas.backup records are marked expired.
   */
  async expireBackups(instanceId: number): Promise<string> {
    const instance = await this.load(instanceId);
    if (instance.state !== 'terminated' || !instance.purgedAt)
      throw new BridgeError(
        'backup_failed',
        `instance ${instanceId} is not purged: its backups are kept`,
        true,
      );
    const key = this.subjectOf(instance, {}).key;
    await this.deps.backups.purge(key);
    const expired = await this.deps.records.expireBackupRecords(instanceId);
    await this.deps.odoo.postNote(
      instanceId,
      `The backups kept after the purge were removed (${expired} records expired).`,
    );
    return `repository ${key} removed, ${expired} records expired`;
  }

  /** which instances need their scheduled backup now; also refreshes the newest-backup ages */
  async dueScheduledBackups(): Promise<{ instanceId: number; slotStart: number }[]> {
    const now = this.now();
    const [instances, policies, newest] = await Promise.all([
      this.deps.odoo.listInstances(),
      this.deps.records.backupPolicies(),
      this.deps.records.newestBackups(),
    ]);
    const live = instances.filter((i) => i.state === 'running' || i.state === 'suspended');
    for (const instance of live) {
      const at = newest.get(instance.id);
      if (at !== undefined) this.deps.observer.newestAge(String(instance.id), (now - at) / 1000);
    }
    const masterAt = newest.get(0);
    if (masterAt !== undefined) this.deps.observer.newestAge('master', (now - masterAt) / 1000);
    return dueBackups(
      live.map((i) => ({
        instanceId: i.id,
        intervalHours: policies.get(i.planId)?.intervalHours ?? DEFAULT_INTERVAL_HOURS,
        newestBackupAt: newest.get(i.id),
      })),
      now,
    );
  }

  /** restic check of every instance's repository and the master's; problems go to the chatter */
  async checkAll(readData: string | undefined): Promise<string> {
    const instances = (await this.deps.odoo.listInstances()).filter((i) =>
      BACKUP_STATES.has(i.state),
    );
    const bad: string[] = [];
    for (const instance of instances) {
      const key = this.subjectOf(instance, {}).key;
      if ((await this.deps.backups.list(key)).length === 0) continue;
      try {
        await this.deps.backups.check(key, readData);
      } catch (err) {
        bad.push(key);
        await this.deps.odoo.postNote(
          instance.id,
          `Backup check failed: ${escapeHtml(errorMessage(err))}`,
        );
      }
    }
    if ((await this.deps.backups.list(MASTER_BACKUP_KEY)).length > 0) {
      await this.deps.backups.check(MASTER_BACKUP_KEY, readData).catch((err: unknown) => {
        bad.push(MASTER_BACKUP_KEY);
        this.deps.logger.error({ err: errorMessage(err) }, 'master backup check failed');
      });
    }
    return bad.length ? `check failed for ${bad.join(', ')}` : `checked ${instances.length + 1}`;
  }

  /**
   * A backup of this instance to download: found in the instance's own repository only, so a
   * snapshot id of another tenant is not found at all.
   */
  async downloadable(
    instanceId: number,
    snapshotId: string,
  ): Promise<{ key: string; set: BackupSet; filename: string }> {
    const instance = await this.load(instanceId);
    const key = this.subjectOf(instance, {}).key;
    const set = await this.deps.backups.find(key, snapshotId);
    const stamp = set.time.slice(0, 19).replace(/[-:]/g, '').replace('T', '_');
    return { key, set, filename: `${instance.subdomain}_${stamp}.zip` };
  }

  /** the repository, database and filestore of an instance */
  subjectOf(
    instance: InstanceRecord,
    labels: Record<string, string>,
  ): BackupSubject & { filestoreDir: string } {
    const db = instance.dbName ?? this.deps.identity.namesOf(instance).db;
    return {
      key: db,
      database: db,
      filestoreDir: path.join(this.deps.dataDirOf(db), 'filestore', db),
      labels: { instance: String(instance.id), ...labels },
    };
  }

  /**
   * One attempt of a backup, written on its saas.backup record as it goes: running, then done, or
   * failed with the reason at once (a retry sets it running again), so the admin sees a failing
   * backup while its retries still run, not only after the last one.
   */
  private async recorded(
    recordId: number,
    subject: BackupSubject,
    kind: BackupKind,
  ): Promise<BackupOutcome> {
    await this.deps.records.updateBackupRecord(recordId, { state: 'running', error: false });
    let outcome: BackupOutcome;
    try {
      outcome = await this.deps.backups.backup(subject, kind);
    } catch (err) {
      await this.deps.records
        .updateBackupRecord(recordId, { state: 'failed', error: errorMessage(err) })
        .catch((writeErr: unknown) =>
          this.deps.logger.warn(
            { record: recordId, err: errorMessage(writeErr) },
            'could not mark the backup failed',
          ),
        );
      throw err;
    }
    await this.recordDone(recordId, outcome, kind);
    return outcome;
  }

  private async recordDone(recordId: number, outcome: BackupOutcome, kind: BackupKind) {
    await this.deps.records.updateBackupRecord(recordId, {
      state: 'done',
      snapshot_id: outcome.snapshotId,
      size_mb: outcome.sizeMb,
      duration_s: outcome.durationS,
      error: false,
    });
    this.deps.observer.finished(kind, 'done', outcome.durationS);
  }

  private async startAgain(instance: InstanceRecord, name: string): Promise<void> {
    const container = await this.deps.docker.startContainer(name);
    if (!container.ip) throw new BridgeError('docker_failed', `container ${name} has no address`);
    const directUrl = `http://${container.ip}:${ODOO_HTTP_PORT}`;
    await this.deps.tenant.waitReady(directUrl, this.deps.readyTimeoutMs);
    // same host as before; only the upstream address may have changed with the restart
    await this.deps.proxy.routeToUpstream(
      this.deps.identity.namesOf(instance).host,
      `${container.ip}:${ODOO_HTTP_PORT}`,
      this.deps.identity.routeLabels(instance),
    );
    await this.deps.odoo.updateInstance(instance.id, { direct_url: directUrl });
  }

  private async load(instanceId: number): Promise<InstanceRecord> {
    const instance = await this.deps.odoo.getInstance(instanceId);
    if (!instance)
      throw new BridgeError(
        'instance_not_found',
        `instance ${instanceId} does not exist in the master`,
        true,
      );
    return instance;
  }
}

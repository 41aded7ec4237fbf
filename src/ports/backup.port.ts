import type { Readable } from 'node:stream';

/** Why a backup was taken; kept as a restic tag and on the master's saas.backup record. */
export const BACKUP_KINDS = [
  'scheduled',
  'manual',
  'before-restore',
  'final',
  'before-update',
] as const;
export type BackupKind = (typeof BACKUP_KINDS)[number];

/** One restic snapshot, as `restic snapshots --json` describes it. */
export interface Snapshot {
  id: string;
  shortId: string;
  time: string;
  paths: string[];
  tags: Record<string, string>;
}

export interface SnapshotResult {
  snapshotId: string;
  /** bytes read from the source (the logical size of what was backed up) */
  bytesProcessed: number;
  /** bytes new to the repository after deduplication */
  bytesAdded: number;
}

/**
 * A restic repository per key (tenant database name, or "master") under one base location.
 * The password and the storage credentials stay inside the adapter (env), never in arguments.
 */
export interface BackupRepositoryPort {
  /** creates the repository when it does not exist yet */
  ensureRepository(key: string): Promise<void>;
  /** stores `source` as one file of a new snapshot; a source that errors leaves no snapshot */
  backupStream(
    key: string,
    source: Readable,
    filename: string,
    tags: Record<string, string>,
  ): Promise<SnapshotResult>;
  /** snapshot of a directory; undefined (and no snapshot) when the directory does not exist */
  backupDirectory(
    key: string,
    dir: string,
    tags: Record<string, string>,
  ): Promise<SnapshotResult | undefined>;
  snapshots(key: string): Promise<Snapshot[]>;
  /** removes snapshots and the data only they used (forget + prune) */
  forget(key: string, snapshotIds: string[]): Promise<void>;
  /** throws backup_corrupt when the repository does not verify; readData reads a share of the packs */
  check(key: string, readData: string | undefined): Promise<void>;
  /** the content of one file of a snapshot, streamed */
  readFile(key: string, snapshotId: string, filename: string): Readable;
  /** replaces `target` with the directory a snapshot of backupDirectory holds */
  restoreDirectory(key: string, snapshotId: string, target: string): Promise<void>;
  /** deletes every backup of the key (a purged tenant's, once its final backup expired) */
  removeRepository(key: string): Promise<void>;
  /** bytes the repository uses on its storage */
  sizeBytes(key: string): Promise<number>;
}

/** What Odoo's own database manager writes as manifest.json next to dump.sql. */
export interface OdooManifest {
  odoo_dump: '1';
  db_name: string;
  version: string;
  version_info: (string | number)[];
  major_version: string;
  pg_version: string;
  modules: Record<string, string>;
}

/** pg_dump / psql against the PostgreSQL server of the tenants (admin connection). */
export interface DatabaseDumpPort {
  /** plain SQL without owners (the format Odoo's own dump uses); errors when pg_dump fails */
  dump(database: string): Readable;
  /** drops `database` when it exists, creates it owned by `owner` and replays the dump as `owner` */
  restore(database: string, owner: string, sql: Readable): Promise<void>;
  /** the manifest Odoo would write for this database (installed modules and their versions) */
  manifest(database: string): Promise<OdooManifest>;
}

export const BACKUP_STATES = ['pending', 'running', 'done', 'failed', 'expired'] as const;
export type BackupState = (typeof BACKUP_STATES)[number];

/** What the bridge writes on a saas.backup record of the master. */
export interface BackupRecordPatch {
  state?: BackupState;
  snapshot_id?: string;
  size_mb?: number;
  duration_s?: number;
  error?: string | false;
}

/** How often a plan's instances are backed up and how many backups are kept. */
export interface BackupPolicy {
  intervalHours: number;
  keep: number;
}

/** The master's saas.backup records and the plans' backup policies (JSON-RPC). */
export interface BackupRecordsPort {
  /**
   * The record of a bridge job: found again by `jobRef` on a retry, else created.
   * `instanceId` undefined is a backup of the master itself.
   */
  ensureBackupRecord(
    jobRef: string,
    instanceId: number | undefined,
    kind: BackupKind,
    recordId?: number,
  ): Promise<number>;
  updateBackupRecord(id: number, patch: BackupRecordPatch): Promise<void>;
  /**
   * Removes the finished records of an instance (undefined: the master) whose snapshot is no
   * longer kept, so nobody is offered a backup retention has removed.
   */
  pruneBackupRecords(instanceId: number | undefined, keptSnapshots: string[]): Promise<number>;
  /** backup policy by plan id */
  backupPolicies(): Promise<Map<number, BackupPolicy>>;
  /** time (ms since epoch) of the newest finished backup, by instance id (0 = the master) */
  newestBackups(): Promise<Map<number, number>>;
  /** one saas.backup record; undefined when it does not exist (any more) */
  getBackupRecord(id: number): Promise<BackupRecordInfo | undefined>;
  /** marks every record of a purged instance expired (its repository is gone) */
  expireBackupRecords(instanceId: number): Promise<number>;
}

/** What a saas.backup record says of the backup behind it. */
export interface BackupRecordInfo {
  id: number;
  instanceId: number | undefined;
  snapshotId: string | undefined;
  state: BackupState;
}

/** The instance a final backup is made of, before its purge deletes it. */
export interface FinalBackupTarget {
  instanceId: number;
  subdomain: string;
  db: string;
}

/**
 * Makes the final backup (kind `final`) of a tenant's database and filestore and answers its
 * snapshot id once it is safely stored. Must be idempotent for one instance: a purge retried
 * after a later step failed asks again.
 */
export interface FinalBackupPort {
  finalBackup(target: FinalBackupTarget): Promise<{ snapshotId: string }>;
}

/** Where a copy of an instance is written: its own new database, role and filestore. */
export interface CopyTarget {
  database: string;
  owner: string;
  filestoreDir: string;
}

/**
 * Fills a new instance's database and filestore from a backup of another instance (a copy for
 * testing); answers which instance and snapshot it came from.
 */
export interface BackupCopyPort {
  restoreCopy(
    backupRecordId: number,
    target: CopyTarget,
  ): Promise<{ sourceInstanceId: number; snapshotId: string }>;
}

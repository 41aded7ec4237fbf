import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { BridgeError, errorMessage } from '../errors.js';
import type {
  BackupKind,
  BackupRepositoryPort,
  DatabaseDumpPort,
  OdooManifest,
  Snapshot,
} from '../ports/backup.port.js';

/** The database file inside a backup; Odoo's own backup zips use the same name. */
export const DUMP_FILE = 'dump.sql';
export const MANIFEST_FILE = 'manifest.json';

/** What is backed up: one database and its filestore, into the repository named `key`. */
export interface BackupSubject {
  /** repository name: the tenant database, or "master" */
  key: string;
  database: string;
  /** host path of the database's filestore (<data dir>/filestore/<database>); none: database only */
  filestoreDir: string | undefined;
  /** recorded on every snapshot: instance id, plan code... (restic tag values) */
  labels: Record<string, string>;
}

/** Where a restore writes: the same database or a new one, owned by `owner`. */
export interface RestoreTarget {
  database: string;
  owner: string;
  filestoreDir: string;
}

/** One backup = the snapshots sharing a `backup` tag: manifest, database dump, filestore. */
export interface BackupSet {
  backupId: string;
  time: string;
  kind: BackupKind | undefined;
  labels: Record<string, string>;
  manifest: Snapshot | undefined;
  database: Snapshot | undefined;
  filestore: Snapshot | undefined;
  /** a backup whose database dump is missing cannot be restored */
  complete: boolean;
}

export interface BackupOutcome {
  backupId: string;
  /** the database snapshot, the id the master records */
  snapshotId: string;
  /** logical size (dump + files) */
  sizeMb: number;
  /** bytes this backup added to the repository, after deduplication */
  addedMb: number;
  durationS: number;
}

export interface BackupServiceDeps {
  repository: BackupRepositoryPort;
  dumps: DatabaseDumpPort;
  logger: Logger;
  now?: () => number;
}

const MB = 1024 * 1024;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Backups, retention, checks and restores of one database + filestore, on restic. */
export class BackupService {
  private readonly now: () => number;

  constructor(private readonly deps: BackupServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async backup(subject: BackupSubject, kind: BackupKind): Promise<BackupOutcome> {
    const started = this.now();
    const { repository, dumps } = this.deps;
    const backupId = randomBytes(8).toString('hex');
    const tags = { ...subject.labels, kind, backup: backupId };
    await repository.ensureRepository(subject.key);
    const done: string[] = [];
    try {
      const manifest = await dumps.manifest(subject.database);
      const tagged = { ...tags, odoo: manifest.version || 'unknown' };
      const m = await repository.backupStream(
        subject.key,
        bufferStream(JSON.stringify(manifest, null, 4)),
        MANIFEST_FILE,
        { ...tagged, part: 'manifest' },
      );
      done.push(m.snapshotId);
      const db = await repository.backupStream(
        subject.key,
        dumps.dump(subject.database),
        DUMP_FILE,
        { ...tagged, part: 'db' },
      );
      done.push(db.snapshotId);
      const files = subject.filestoreDir
        ? await repository.backupDirectory(subject.key, subject.filestoreDir, {
            ...tagged,
            part: 'filestore',
          })
        : undefined;
      if (files) done.push(files.snapshotId);
      const outcome: BackupOutcome = {
        backupId,
        snapshotId: db.snapshotId,
        sizeMb: round2((db.bytesProcessed + (files?.bytesProcessed ?? 0)) / MB),
        addedMb: round2((m.bytesAdded + db.bytesAdded + (files?.bytesAdded ?? 0)) / MB),
        durationS: round2((this.now() - started) / 1000),
      };
      this.deps.logger.info({ key: subject.key, kind, ...outcome }, 'backup done');
      return outcome;
    } catch (err) {
      // half a backup is no backup: drop the parts already written, keep the first error
      await repository
        .forget(subject.key, done)
        .catch((cleanup: unknown) =>
          this.deps.logger.warn(
            { key: subject.key, err: errorMessage(cleanup) },
            'could not remove the parts of a failed backup',
          ),
        );
      throw err;
    }
  }

  /** every backup of a repository, newest first */
  async list(key: string): Promise<BackupSet[]> {
    const groups = new Map<string, Snapshot[]>();
    for (const snapshot of await this.deps.repository.snapshots(key)) {
      const id = snapshot.tags.backup;
      if (!id) continue;
      groups.set(id, [...(groups.get(id) ?? []), snapshot]);
    }
    const sets = [...groups.entries()].map(([backupId, snapshots]): BackupSet => {
      const part = (name: string) => snapshots.find((s) => s.tags.part === name);
      const database = part('db');
      const labels = { ...snapshots[0]?.tags };
      const kind = labels.kind;
      for (const own of ['part', 'backup', 'kind']) delete labels[own];
      return {
        backupId,
        time: snapshots.map((s) => s.time).sort()[0] ?? '',
        kind: kind as BackupKind | undefined,
        labels,
        manifest: part('manifest'),
        database,
        filestore: part('filestore'),
        complete: database !== undefined,
      };
    });
    return sets.sort((a, b) => b.time.localeCompare(a.time));
  }

  /** a backup by its backup id or the id (or short id) of one of its snapshots */
  async find(key: string, id: string): Promise<BackupSet> {
    const found = (await this.list(key)).find(
      (set) =>
        set.backupId === id ||
        [set.database, set.filestore, set.manifest].some(
          (s) => s !== undefined && (s.id === id || (id.length >= 8 && s.id.startsWith(id))),
        ),
    );
    if (!found?.complete)
      throw new BridgeError('backup_not_found', `no complete backup ${id} in ${key}`, true);
    return found;
  }

  /** keeps the newest `keepLast` complete backups; forgets the others and prunes their data */
  async applyRetention(
    key: string,
    keepLast: number,
  ): Promise<{ kept: number; removed: number; keptSnapshots: string[] }> {
    if (!Number.isInteger(keepLast) || keepLast < 1)
      throw new BridgeError('backup_failed', `keep count must be 1 or more, not ${keepLast}`, true);
    const sets = await this.list(key);
    const complete = sets.filter((s) => s.complete);
    const keep = new Set(complete.slice(0, keepLast).map((s) => s.backupId));
    // incomplete sets are leftovers of crashed runs; older than the newest kept one, they go too
    const oldestKept = complete[Math.min(keepLast, complete.length) - 1]?.time ?? '';
    const drop = sets.filter(
      (s) => !keep.has(s.backupId) && (s.complete || (oldestKept !== '' && s.time < oldestKept)),
    );
    const ids = drop.flatMap((s) =>
      [s.manifest, s.database, s.filestore].flatMap((x) => (x ? [x.id] : [])),
    );
    await this.deps.repository.forget(key, ids);
    const keptSnapshots = complete
      .filter((s) => keep.has(s.backupId))
      .flatMap((s) => (s.database ? [s.database.id] : []));
    return { kept: keep.size, removed: drop.length, keptSnapshots };
  }

  /** every backup of a purged tenant, after its final backup's retention time */
  purge(key: string): Promise<void> {
    return this.deps.repository.removeRepository(key);
  }

  check(key: string, readData?: string): Promise<void> {
    return this.deps.repository.check(key, readData);
  }

  /** replaces target's database and filestore with the backup's (the tenant must be stopped) */
  async restore(key: string, id: string, target: RestoreTarget): Promise<{ durationS: number }> {
    const started = this.now();
    const set = await this.find(key, id);
    const { repository, dumps } = this.deps;
    await dumps.restore(
      target.database,
      target.owner,
      repository.readFile(key, set.database!.id, DUMP_FILE),
    );
    if (set.filestore) {
      await repository.restoreDirectory(key, set.filestore.id, target.filestoreDir);
    }
    const durationS = round2((this.now() - started) / 1000);
    this.deps.logger.info(
      { key, backupId: set.backupId, into: target.database, durationS },
      'restored',
    );
    return { durationS };
  }

  /** the manifest recorded with a backup (Odoo's manifest.json) */
  async manifest(key: string, set: BackupSet): Promise<OdooManifest | undefined> {
    if (!set.manifest) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of this.deps.repository.readFile(key, set.manifest.id, MANIFEST_FILE))
      chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as OdooManifest;
  }
}

function bufferStream(text: string) {
  return Readable.from([Buffer.from(text)]);
}

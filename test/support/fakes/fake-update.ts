import type {
  ModuleVersionsPort,
  RolloutRecordsPort,
  UpdateBackupPort,
  UpdateReport,
} from '../../../src/ports/update.port.js';

/** The master's rollout lines: the reports the bridge sent, in order. */
export class FakeRolloutRecords implements RolloutRecordsPort {
  readonly reports: { lineId: number; report: UpdateReport }[] = [];
  available: string | undefined;

  async report(rolloutLineId: number, report: UpdateReport): Promise<void> {
    this.reports.push({ lineId: rolloutLineId, report });
  }

  async setAvailableVersion(version: string): Promise<void> {
    this.available = version;
  }
}

/** Installed module versions by database, as ir_module_module holds them. */
export class FakeModuleVersions implements ModuleVersionsPort {
  readonly versions = new Map<string, string>();

  async moduleVersion(db: string, module: string): Promise<string | undefined> {
    return this.versions.get(`${db}/${module}`);
  }

  set(db: string, module: string, version: string): void {
    this.versions.set(`${db}/${module}`, version);
  }
}

/**
 * Backups of the module versions (standing for the whole database): a backup remembers them, a
 * restore puts them back. `failBackup` / `failRestore` make the next call fail.
 */
export class FakeUpdateBackups implements UpdateBackupPort {
  readonly snapshots = new Map<string, Map<string, string>>();
  readonly restored: string[] = [];
  failBackup: Error | undefined;
  failRestore: Error | undefined;
  private next = 1;

  constructor(private readonly versions: FakeModuleVersions) {}

  async backupBeforeUpdate(): Promise<string> {
    if (this.failBackup) throw this.failBackup;
    const id = `5a7e${String(this.next++).padStart(4, '0')}`;
    this.snapshots.set(id, new Map(this.versions.versions));
    return id;
  }

  async restoreSnapshot(_instanceId: number, snapshotId: string): Promise<void> {
    if (this.failRestore) throw this.failRestore;
    const saved = this.snapshots.get(snapshotId);
    if (!saved) throw new Error(`no snapshot ${snapshotId}`);
    this.versions.versions.clear();
    for (const [key, value] of saved) this.versions.versions.set(key, value);
    this.restored.push(snapshotId);
  }
}

import type {
  BackupKind,
  BackupPolicy,
  BackupRecordInfo,
  BackupRecordPatch,
  BackupRecordsPort,
} from '../../../src/ports/backup.port.js';

export interface FakeBackupRecord extends BackupRecordPatch {
  id: number;
  jobRef: string;
  instanceId: number | undefined;
  kind: BackupKind;
  createdAt: number;
}

/** The master's saas.backup records in memory. */
export class FakeBackupRecords implements BackupRecordsPort {
  readonly records = new Map<number, FakeBackupRecord>();
  readonly policies = new Map<number, BackupPolicy>();
  private nextId = 1;

  constructor(private readonly now: () => number = Date.now) {}

  /** a pending record, as the master's "Backup now" makes it */
  addPending(instanceId: number, kind: BackupKind): number {
    const id = this.nextId++;
    this.records.set(id, {
      id,
      jobRef: '',
      instanceId,
      kind,
      state: 'pending',
      createdAt: this.now(),
    });
    return id;
  }

  async ensureBackupRecord(
    jobRef: string,
    instanceId: number | undefined,
    kind: BackupKind,
    recordId?: number,
  ): Promise<number> {
    if (recordId) {
      const record = this.records.get(recordId);
      if (!record) throw new Error(`fake records: no saas.backup ${recordId}`);
      record.jobRef = jobRef;
      return recordId;
    }
    const found = [...this.records.values()].find((r) => r.jobRef === jobRef);
    if (found) return found.id;
    const id = this.nextId++;
    this.records.set(id, { id, jobRef, instanceId, kind, state: 'pending', createdAt: this.now() });
    return id;
  }

  async updateBackupRecord(id: number, patch: BackupRecordPatch): Promise<void> {
    const record = this.records.get(id);
    if (!record) throw new Error(`fake records: no saas.backup ${id}`);
    Object.assign(record, patch);
  }

  async pruneBackupRecords(
    instanceId: number | undefined,
    keptSnapshots: string[],
  ): Promise<number> {
    let removed = 0;
    for (const r of [...this.records.values()]) {
      if (r.instanceId !== instanceId || r.state !== 'done') continue;
      const snapshot = r.snapshot_id ?? '-';
      if (keptSnapshots.some((k) => k.startsWith(snapshot))) continue;
      this.records.delete(r.id);
      removed += 1;
    }
    return removed;
  }

  async backupPolicies(): Promise<Map<number, BackupPolicy>> {
    return new Map(this.policies);
  }

  async newestBackups(): Promise<Map<number, number>> {
    const newest = new Map<number, number>();
    for (const r of this.records.values()) {
      if (r.state !== 'done') continue;
      const key = r.instanceId ?? 0;
      newest.set(key, Math.max(newest.get(key) ?? 0, r.createdAt));
    }
    return newest;
  }

  async getBackupRecord(id: number): Promise<BackupRecordInfo | undefined> {
    const r = this.records.get(id);
    if (!r) return undefined;
    return {
      id: r.id,
      instanceId: r.instanceId,
      snapshotId: r.snapshot_id,
      state: r.state ?? 'pending',
    };
  }

  async expireBackupRecords(instanceId: number): Promise<number> {
    let expired = 0;
    for (const r of this.records.values()) {
      if (r.instanceId !== instanceId || r.state === 'expired') continue;
      r.state = 'expired';
      expired += 1;
    }
    return expired;
  }

  of(instanceId: number | undefined): FakeBackupRecord[] {
    return [...this.records.values()].filter((r) => r.instanceId === instanceId);
  }
}

import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type {
  BackupRepositoryPort,
  DatabaseDumpPort,
  OdooManifest,
  Snapshot,
  SnapshotResult,
} from '../../../src/ports/backup.port.js';
import { BackupService } from '../../../src/services/backup.service.js';

/** a restic repository in memory: snapshots with tags and the bytes of stdin ones */
class FakeRepository implements BackupRepositoryPort {
  readonly snapshotsByKey = new Map<string, Snapshot[]>();
  readonly forgotten: string[] = [];
  failDirectory = false;
  private next = 1;
  private clock = Date.parse('2026-12-01T00:00:00Z');

  async ensureRepository(): Promise<void> {}

  async backupStream(
    key: string,
    source: Readable,
    filename: string,
    tags: Record<string, string>,
  ): Promise<SnapshotResult> {
    let bytes = 0;
    for await (const chunk of source) bytes += (chunk as Buffer).length;
    return this.add(key, [`/${filename}`], tags, bytes);
  }

  async backupDirectory(key: string, dir: string, tags: Record<string, string>) {
    if (this.failDirectory) throw new Error('disk gone');
    return this.add(key, [dir], tags, 10);
  }

  async snapshots(key: string): Promise<Snapshot[]> {
    return [...(this.snapshotsByKey.get(key) ?? [])];
  }

  async forget(key: string, ids: string[]): Promise<void> {
    this.forgotten.push(...ids);
    this.snapshotsByKey.set(
      key,
      // like restic, a short id (prefix) names a snapshot too
      (this.snapshotsByKey.get(key) ?? []).filter((s) => !ids.some((id) => s.id.startsWith(id))),
    );
  }

  async check(): Promise<void> {}
  readFile(): Readable {
    return Readable.from([Buffer.from('{}')]);
  }
  async restoreDirectory(): Promise<void> {}
  async removeRepository(key: string): Promise<void> {
    this.snapshotsByKey.delete(key);
  }
  async sizeBytes(): Promise<number> {
    return 0;
  }

  private add(key: string, paths: string[], tags: Record<string, string>, bytes: number) {
    this.next += 1;
    const id = randomBytes(32).toString('hex');
    this.clock += 1000;
    const snapshot = {
      id,
      shortId: id.slice(0, 8),
      time: new Date(this.clock).toISOString(),
      paths,
      tags,
    };
    this.snapshotsByKey.set(key, [...(this.snapshotsByKey.get(key) ?? []), snapshot]);
    return { snapshotId: id.slice(0, 8), bytesProcessed: bytes, bytesAdded: bytes };
  }
}

const MANIFEST: OdooManifest = {
  odoo_dump: '1',
  db_name: 'tenant_acme',
  version: '17.0',
  version_info: [17, 0, 0, 'final', 0, ''],
  major_version: '17.0',
  pg_version: '15.18',
  modules: { base: '17.0.1.3' },
};

function dumps(fail = false): DatabaseDumpPort {
  return {
    dump: () => {
      const out = new PassThrough();
      if (fail) setImmediate(() => out.destroy(new Error('pg_dump: connection lost')));
      else out.end('CREATE TABLE x ();');
      return out;
    },
    restore: async () => undefined,
    manifest: async () => MANIFEST,
  };
}

const subject = {
  key: 'tenant_acme',
  database: 'tenant_acme',
  filestoreDir: '/srv/tenant_acme/filestore/tenant_acme',
  labels: { instance: '1' },
};

describe('BackupService', () => {
  it('writes nothing that stays when the dump fails half way', async () => {
    const repository = new FakeRepository();
    const service = new BackupService({
      repository,
      dumps: dumps(true),
      logger: pino({ level: 'silent' }),
    });
    await expect(service.backup(subject, 'manual')).rejects.toThrow('connection lost');
    expect(await repository.snapshots('tenant_acme')).toEqual([]);
    expect(repository.forgotten).toHaveLength(1); // the manifest written before the dump
  });

  it('removes the written parts when the filestore fails', async () => {
    const repository = new FakeRepository();
    repository.failDirectory = true;
    const service = new BackupService({
      repository,
      dumps: dumps(),
      logger: pino({ level: 'silent' }),
    });
    await expect(service.backup(subject, 'manual')).rejects.toThrow('disk gone');
    expect(await repository.snapshots('tenant_acme')).toEqual([]);
  });

  it('keeps the newest N complete backups; leftovers older than the oldest kept go too', async () => {
    const repository = new FakeRepository();
    const service = new BackupService({
      repository,
      dumps: dumps(),
      logger: pino({ level: 'silent' }),
    });
    const made = [];
    for (let i = 0; i < 3; i += 1) made.push(await service.backup(subject, 'scheduled'));
    // a crashed run left only a manifest, between the backups
    const all = await repository.snapshots('tenant_acme');
    const crashed = {
      ...all[0]!,
      id: 'f'.repeat(64),
      tags: { backup: 'crashed', part: 'manifest' },
    };
    crashed.time = all[2]!.time.replace('Z', '1Z');
    repository.snapshotsByKey.get('tenant_acme')!.push(crashed);
    for (let i = 0; i < 2; i += 1) made.push(await service.backup(subject, 'scheduled'));

    expect(await service.applyRetention('tenant_acme', 2)).toMatchObject({ kept: 2, removed: 4 });
    const left = await service.list('tenant_acme');
    expect(left.map((s) => s.backupId)).toEqual([made[4]!.backupId, made[3]!.backupId]);
    expect(left.every((s) => s.complete && s.filestore && s.manifest)).toBe(true);
    await expect(service.applyRetention('tenant_acme', 0)).rejects.toThrow('keep count');
  });

  it('finds a backup by any of its snapshot ids, never an incomplete one', async () => {
    const repository = new FakeRepository();
    const service = new BackupService({
      repository,
      dumps: dumps(),
      logger: pino({ level: 'silent' }),
    });
    const made = await service.backup(subject, 'manual');
    expect((await service.find('tenant_acme', made.snapshotId)).backupId).toBe(made.backupId);
    expect((await service.find('tenant_acme', made.backupId)).kind).toBe('manual');
    await expect(service.find('tenant_acme', 'abcdef12')).rejects.toMatchObject({
      code: 'backup_not_found',
    });
  });
});

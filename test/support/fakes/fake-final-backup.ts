import { BridgeError } from '../../../src/errors.js';
import type { FinalBackupPort, FinalBackupTarget } from '../../../src/ports/backup.port.js';
import type { FakeDatabase } from './fake-database.js';
import type { FakeFilestore } from './fake-filestore.js';

/** Snapshots kept in memory; a backup needs the database and filestore it copies to exist. */
export class FakeFinalBackup implements FinalBackupPort {
  readonly snapshots: { id: string; target: FinalBackupTarget; data: Record<string, string> }[] =
    [];
  failWith: Error | undefined;

  constructor(
    private readonly pg: FakeDatabase,
    private readonly filestore: FakeFilestore,
  ) {}

  async finalBackup(target: FinalBackupTarget): Promise<{ snapshotId: string }> {
    if (this.failWith) throw this.failWith;
    if (!(await this.pg.databaseExists(target.db)))
      throw new BridgeError('backup_failed', `fake backup: no database ${target.db}`, true);
    const id = `final-${target.instanceId}-${this.snapshots.length + 1}`;
    this.snapshots.push({ id, target, data: { ...this.pg.get(target.db).data } });
    return { snapshotId: id };
  }
}

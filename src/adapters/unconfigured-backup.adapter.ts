import { BridgeError } from '../errors.js';
import type { FinalBackupPort } from '../ports/backup.port.js';

/**
 * Stands in for the backups' service until it is wired: a purge then fails at its first step,
 * permanently and before anything is deleted.
 */
export class UnconfiguredFinalBackup implements FinalBackupPort {
  async finalBackup(): Promise<{ snapshotId: string }> {
    throw new BridgeError(
      'backups_not_configured',
      'backups not configured: no final backup can be made, so nothing was purged',
      true,
    );
  }
}

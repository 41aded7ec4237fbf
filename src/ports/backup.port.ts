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

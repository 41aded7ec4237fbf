/** What a rolling update (issue 14) needs besides the ports provisioning already has. */

/** How one instance's update ended, as its rollout line in the master records it. */
export interface UpdateReport {
  outcome: 'done' | 'failed';
  /** what was done, or why it failed (and that it was rolled back) */
  message: string;
  /** the version the tenant reports now: the new one, or after a rollback the old one */
  version: string | undefined;
}

/** The master's saas.rollout records (JSON-RPC). */
export interface RolloutRecordsPort {
  /** the result of one line; a late or repeated report changes nothing in the master */
  report(rolloutLineId: number, report: UpdateReport): Promise<void>;
  /** the saas_tenant version this bridge offers, which new rollouts target */
  setAvailableVersion(version: string): Promise<void>;
}

/** What a tenant's database says of its modules. */
export interface ModuleVersionsPort {
  /** the installed version of `module` (ir_module_module.latest_version), if installed */
  moduleVersion(db: string, module: string): Promise<string | undefined>;
}

/** The backup an update starts from, and the rollback to it. */
export interface UpdateBackupPort {
  /** a backup of the instance (kind before-update) as it is now; answers its snapshot id */
  backupBeforeUpdate(instanceId: number, jobRef: string): Promise<string>;
  /** database and filestore back to `snapshotId`; the tenant's container is the caller's */
  restoreSnapshot(instanceId: number, snapshotId: string): Promise<void>;
}

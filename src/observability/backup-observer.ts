import type { BackupObserver } from '../services/instance-backup.service.js';
import type { Metrics } from './metrics.js';

/** Backup outcomes into /metrics (an alert fires on saas_backup_newest_age_seconds). */
export function backupObserver(metrics: Metrics): BackupObserver {
  return {
    finished(kind, outcome, seconds) {
      metrics.backups.inc({ kind, outcome });
      if (seconds !== undefined) metrics.backupSeconds.observe({ kind }, seconds);
    },
    newestAge(instance, seconds) {
      metrics.backupAge.set({ instance }, Math.max(0, Math.round(seconds)));
    },
  };
}

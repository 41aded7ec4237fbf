import type { BackupInstanceData } from '../jobs/backup-instance.job.js';
import { backupInstanceJobId } from '../jobs/backup-instance.job.js';
import type { BackupJobName } from '../jobs/backup-job.types.js';
import type { RestoreInstanceData } from '../jobs/restore-instance.job.js';
import type { BridgeEvent } from '../schemas/event.schema.js';

export const BACKUP_EVENT_TYPES = ['instance.backup', 'instance.restore'] as const;
export type BackupEventType = (typeof BACKUP_EVENT_TYPES)[number];
export type BackupEvent = Extract<BridgeEvent, { type: BackupEventType }>;

export interface BackupJobRequest {
  name: BackupJobName;
  data: BackupInstanceData | RestoreInstanceData;
  jobId: string;
}

export function isBackupEvent(event: BridgeEvent): event is BackupEvent {
  return (BACKUP_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** The job an admin's or customer's backup/restore request becomes; its id comes from the event. */
export function backupJobOf(event: BackupEvent): BackupJobRequest {
  if (event.type === 'instance.backup') {
    const jobId = backupInstanceJobId(event.instance_id, event.id);
    return {
      name: 'backup-instance',
      jobId,
      data: {
        instanceId: event.instance_id,
        kind: event.data.kind,
        backupRecordId: event.data.backup_id,
        ref: jobId,
      },
    };
  }
  const jobId = `restore-instance-${event.instance_id}-${event.id}`;
  return {
    name: 'restore-instance',
    jobId,
    data: {
      instanceId: event.instance_id,
      snapshotId: event.data.snapshot_id,
      requestedBy: event.data.requested_by,
      ref: jobId,
    },
  };
}

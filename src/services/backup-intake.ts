import type { BackupJobName } from '../ports/jobs.port.js';
import {
  backupInstanceJobId,
  type BackupInstanceData,
  type ExpireBackupsData,
  type RestoreInstanceData,
} from '../schemas/backup-job.schema.js';
import type { BridgeEvent } from '../schemas/event.schema.js';

export const BACKUP_EVENT_TYPES = [
  'instance.backup',
  'instance.restore',
  'instance.backups_expired',
] as const;
export type BackupEventType = (typeof BACKUP_EVENT_TYPES)[number];
export type BackupEvent = Extract<BridgeEvent, { type: BackupEventType }>;

export interface BackupJobRequest {
  name: BackupJobName;
  data: BackupInstanceData | RestoreInstanceData | ExpireBackupsData;
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
  if (event.type === 'instance.backups_expired') {
    return {
      name: 'expire-backups',
      jobId: `expire-backups-${event.instance_id}-${event.id}`,
      data: { instanceId: event.instance_id, eventId: event.id },
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

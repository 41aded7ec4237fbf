import type { EventIntakePort, IntakeResult } from '../ports/intake.port.js';
import type { BridgeEvent, EventType } from '../schemas/event.schema.js';
import type { InstanceAction, InstanceJobData } from '../schemas/job.schema.js';
import {
  backupJobOf,
  isBackupEvent,
  type BackupEventType,
  type BackupJobRequest,
} from './backup-intake.js';

/** How long an event id is remembered after its job was queued (the master never resends that late). */
const SEEN_TTL_SECONDS = 30 * 24 * 3600;

const ACTION_OF: Record<Exclude<EventType, BackupEventType>, InstanceAction> = {
  'order.confirmed': 'provision',
  'instance.retry': 'provision',
  'invoice.paid': 'paid',
  'instance.suspend': 'suspend',
  'instance.reactivate': 'reactivate',
  'instance.terminate': 'terminate',
};

export interface IntakeQueue {
  wasSeen(key: string): Promise<boolean>;
  markSeen(key: string, ttlSeconds: number): Promise<void>;
  enqueueInstanceJob(data: InstanceJobData, jobId: string): Promise<string>;
}

/** Event in, job out: deduplicated by event id and by a jobId built from it. */
export class EventIntakeService implements EventIntakePort {
  constructor(
    private readonly queue: IntakeQueue,
    /** backup and restore requests go to the backups queue */
    private readonly enqueueBackup?: (job: BackupJobRequest) => Promise<string>,
  ) {}

  async accept(event: BridgeEvent): Promise<IntakeResult> {
    if (await this.queue.wasSeen(`event:${event.id}`)) return { duplicate: true, jobId: undefined };
    if (isBackupEvent(event)) {
      if (!this.enqueueBackup) throw new Error('backup jobs are not wired in this bridge');
      const job = backupJobOf(event);
      await this.enqueueBackup(job);
      await this.queue.markSeen(`event:${event.id}`, SEEN_TTL_SECONDS);
      return { duplicate: false, jobId: job.jobId };
    }
    const action = ACTION_OF[event.type];
    // the same event id always gives the same jobId: a resend after a lost answer queues nothing new
    const jobId = `${action}-${event.instance_id}-${event.id}`;
    await this.queue.enqueueInstanceJob(
      { instanceId: event.instance_id, action, eventId: event.id, eventType: event.type },
      jobId,
    );
    await this.queue.markSeen(`event:${event.id}`, SEEN_TTL_SECONDS);
    return { duplicate: false, jobId };
  }
}

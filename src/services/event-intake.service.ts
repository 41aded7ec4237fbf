import type { EventIntakePort, IntakeResult } from '../ports/intake.port.js';
import type { JobQueuePort, SeenKeysPort } from '../ports/jobs.port.js';
import type { BridgeEvent, EventType } from '../schemas/event.schema.js';
import type { InstanceAction, InstanceJobData } from '../schemas/job.schema.js';

/** How long an event id is remembered after its job was queued (the master never resends that late). */
const SEEN_TTL_SECONDS = 30 * 24 * 3600;

const ACTION_OF: Record<EventType, InstanceAction> = {
  'order.confirmed': 'provision',
  'instance.retry': 'provision',
  'invoice.paid': 'paid',
  'instance.suspend': 'suspend',
  'instance.reactivate': 'reactivate',
  'instance.terminate': 'terminate',
};

export type IntakeQueue = JobQueuePort & SeenKeysPort;

/** Event in, job out: deduplicated by event id and by a jobId built from it. */
export class EventIntakeService implements EventIntakePort {
  constructor(private readonly queue: IntakeQueue) {}

  async accept(event: BridgeEvent): Promise<IntakeResult> {
    if (await this.queue.wasSeen(`event:${event.id}`)) return { duplicate: true, jobId: undefined };
    const action = ACTION_OF[event.type];
    // the same event id always gives the same jobId: a resend after a lost answer queues nothing new
    const jobId = `${action}-${event.instance_id}-${event.id}`;
    const data: InstanceJobData = {
      instanceId: event.instance_id,
      action,
      eventId: event.id,
      eventType: event.type,
    };
    await this.queue.enqueue(action, data, { jobId });
    await this.queue.markSeen(`event:${event.id}`, SEEN_TTL_SECONDS);
    return { duplicate: false, jobId };
  }
}

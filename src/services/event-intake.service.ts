import { setTimeout as sleep } from 'node:timers/promises';
import { BridgeError } from '../errors.js';
import type { EventDedupePort } from '../ports/event-dedupe.port.js';
import type { EventIntakePort, IntakeResult } from '../ports/intake.port.js';
import type { JobName, JobQueuePort } from '../ports/jobs.port.js';
import type { BridgeEvent, EventType } from '../schemas/event.schema.js';
import type { InstanceAction, InstanceJobData } from '../schemas/job.schema.js';
import { backupJobOf, isBackupEvent, type BackupEventType } from './backup-intake.js';
import { domainJobOf, isDomainEvent, type DomainEventType } from './domain-intake.js';
import { isUpdateEvent, updateJobOf } from './update-intake.js';

/** How long an event id is remembered after its job was queued (the master never resends that late). */
const SEEN_TTL_SECONDS = 30 * 24 * 3600;
/** A claim whose holder died before queueing frees itself after this, so a resend gets through. */
const IN_FLIGHT_TTL_SECONDS = 60;

/** the master's mail-only events: no state changes, one mail job each */
const MAIL_OF = {
  'instance.reminder': 'reminder-mail',
  'instance.deletion_warning': 'deletion-warning-mail',
  'instance.charge_failed': 'charge-failed-mail',
  'instance.storage_warning': 'storage-warning-mail',
} as const satisfies Partial<Record<EventType, JobName>>;
type MailEventType = keyof typeof MAIL_OF;

type OtherEventType = BackupEventType | DomainEventType | 'instance.update';

const ACTION_OF: Record<Exclude<EventType, MailEventType | OtherEventType>, InstanceAction> = {
  'order.confirmed': 'provision',
  'instance.retry': 'provision',
  // a copy is provisioned like any new instance; its record names the backup it starts from
  'instance.copy': 'provision',
  'invoice.paid': 'paid',
  'instance.suspend': 'suspend',
  'instance.reactivate': 'reactivate',
  'instance.terminate': 'terminate',
  'instance.plan_changed': 'change-plan',
  'instance.move': 'move-instance',
};

export type IntakeQueue = JobQueuePort;

export interface IntakeTiming {
  /** how long a second delivery waits for the first one's job to be queued */
  settleWaitMs: number;
  pollMs: number;
}

const DEFAULT_TIMING: IntakeTiming = { settleWaitMs: 2_000, pollMs: 20 };

/**
 * Event in, job out. One delivery of an event id claims it atomically and queues the job; the
 * others answer "duplicate" once that job is queued. The jobId is built from the event too, so
 * even a claim lost with Redis queues nothing twice.
 */
export class EventIntakeService implements EventIntakePort {
  constructor(
    private readonly queue: IntakeQueue,
    private readonly dedupe: EventDedupePort,
    private readonly timing: IntakeTiming = DEFAULT_TIMING,
  ) {}

  async accept(event: BridgeEvent): Promise<IntakeResult> {
    // the schema has lower-cased the id: the same UUID in capitals is the same event
    const key = `event:${event.id}`;
    if (!(await this.dedupe.claim(key, IN_FLIGHT_TTL_SECONDS))) return this.duplicateOf(key);
    const job = isBackupEvent(event)
      ? backupJobOf(event)
      : isUpdateEvent(event)
        ? updateJobOf(event)
        : isDomainEvent(event)
          ? domainJobOf(event)
          : jobOf(event);
    try {
      await this.queue.enqueue(job.name, job.data, { jobId: job.jobId });
    } catch (err) {
      await this.dedupe.release(key).catch(() => undefined); // it expires by itself otherwise
      throw err;
    }
    await this.dedupe.settle(key, SEEN_TTL_SECONDS);
    return { duplicate: false, jobId: job.jobId };
  }

  /**
   * "Duplicate" tells the master the event is handled, so it is said only once the holder's job
   * is queued; while the holder is still at it (or failed), the master is asked to resend.
   */
  private async duplicateOf(key: string): Promise<IntakeResult> {
    const deadline = Date.now() + this.timing.settleWaitMs;
    for (;;) {
      const state = await this.dedupe.stateOf(key);
      if (state === 'done') return { duplicate: true, jobId: undefined };
      if (state === undefined || Date.now() >= deadline) {
        throw new BridgeError(
          'event_in_flight',
          'another delivery of this event is being handled; send it again later',
        );
      }
      await sleep(this.timing.pollMs);
    }
  }
}

function isMailEvent(type: EventType): type is MailEventType {
  return type in MAIL_OF;
}

/** An instance or mail event becomes its job; the job id comes from the event (a resent event
 * queues, and so mails, nothing twice). */
function jobOf(event: Exclude<BridgeEvent, { type: OtherEventType }>): {
  name: JobName;
  data: object;
  jobId: string;
} {
  const jobId = (name: JobName) => `${name}-${event.instance_id}-${event.id}`;
  const { type } = event;
  if (isMailEvent(type)) {
    return {
      name: MAIL_OF[type],
      jobId: jobId(MAIL_OF[type]),
      data: { instanceId: event.instance_id, eventId: event.id, facts: withoutPayUrl(event.data) },
    };
  }
  const action = ACTION_OF[type];
  const data: InstanceJobData = {
    instanceId: event.instance_id,
    action,
    eventId: event.id,
    eventType: type,
  };
  if (event.type === 'instance.terminate' && event.data.purge) data.purge = true;
  if (event.type === 'instance.suspend' && event.data.invoice_id)
    data.invoiceId = event.data.invoice_id;
  if (event.type === 'instance.move') data.node = event.data.node;
  return { name: action, jobId: jobId(action), data };
}

/**
 * The event's data for the job, without `pay_url`: the link holds the invoice's access token, and
 * job data (Redis, Bull Board) holds no secrets. The mail reads it from the master when it goes.
 */
function withoutPayUrl(data: object): object {
  const rest: Record<string, unknown> = { ...data };
  delete rest.pay_url;
  return rest;
}

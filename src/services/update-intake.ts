import type { JobName } from '../ports/jobs.port.js';
import type { BridgeEvent } from '../schemas/event.schema.js';
import type { UpdateInstanceData } from '../schemas/update-job.schema.js';

export type UpdateEvent = Extract<BridgeEvent, { type: 'instance.update' }>;

export function isUpdateEvent(event: BridgeEvent): event is UpdateEvent {
  return event.type === 'instance.update';
}

/** `instance.update` becomes one update-instance job; its id comes from the event. */
export function updateJobOf(event: UpdateEvent): {
  name: JobName;
  data: UpdateInstanceData;
  jobId: string;
} {
  return {
    name: 'update-instance',
    jobId: `update-instance-${event.instance_id}-${event.id}`,
    data: {
      instanceId: event.instance_id,
      eventId: event.id,
      rolloutLineId: event.data.rollout_line_id,
      targetVersion: event.data.target_version,
      modules: event.data.modules,
    },
  };
}

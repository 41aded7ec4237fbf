import type { BridgeEvent } from '../schemas/event.schema.js';
import type { RemoveDomainJobData, VerifyDomainJobData } from '../schemas/domain-job.schema.js';

export const DOMAIN_EVENT_TYPES = ['domain.verify', 'domain.remove'] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];
export type DomainEvent = Extract<BridgeEvent, { type: DomainEventType }>;

export function isDomainEvent(event: BridgeEvent): event is DomainEvent {
  return (DOMAIN_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** The job a custom domain event becomes; its id comes from the event. */
export function domainJobOf(event: DomainEvent): {
  name: 'verify-domain' | 'remove-domain';
  data: VerifyDomainJobData | RemoveDomainJobData;
  jobId: string;
} {
  if (event.type === 'domain.verify') {
    return {
      name: 'verify-domain',
      jobId: `verify-domain-${event.instance_id}-${event.id}`,
      data: {
        instanceId: event.instance_id,
        domainId: event.data.domain_id,
        domain: event.data.domain,
        token: event.data.token,
      },
    };
  }
  return {
    name: 'remove-domain',
    jobId: `remove-domain-${event.instance_id}-${event.id}`,
    data: {
      instanceId: event.instance_id,
      domain: event.data.domain,
      wasVerified: event.data.was_verified,
    },
  };
}

import { QUEUES, type JobDefinition } from '../ports/jobs.port.js';
import type { LockPort } from '../ports/lock.port.js';
import {
  removeDomainJobSchema,
  verifyDomainJobSchema,
  type RemoveDomainJobData,
  type VerifyDomainJobData,
} from '../schemas/domain-job.schema.js';
import type { CustomDomainService } from '../services/custom-domain.service.js';
import { defineJob } from './define-job.js';
import { oneJobPerInstance } from './instance-lock.js';

export interface DomainJobDeps {
  domains: CustomDomainService;
  locks: LockPort;
}

/**
 * A customer's own domain (issue 16): checked and routed, or removed; one job per instance at a
 * time, like every job that changes an instance's routes.
 */
export function domainJobDefinitions(deps: DomainJobDeps): JobDefinition[] {
  return [
    defineJob<VerifyDomainJobData, string>({
      name: 'verify-domain',
      queue: QUEUES.instances,
      schema: verifyDomainJobSchema,
      attempts: 3,
      backoff: { type: 'exponential', delayMs: 2_000 },
      handler: oneJobPerInstance(deps.locks, (data) => deps.domains.verify(data.instanceId, data)),
    }),
    defineJob<RemoveDomainJobData, string>({
      name: 'remove-domain',
      queue: QUEUES.instances,
      schema: removeDomainJobSchema,
      attempts: 5,
      backoff: { type: 'exponential', delayMs: 2_000 },
      handler: oneJobPerInstance(deps.locks, (data) =>
        deps.domains.remove(data.instanceId, data.domain, data.wasVerified),
      ),
    }),
  ];
}

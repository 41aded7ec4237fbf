import type { Metrics } from '../observability/metrics.js';
import { QUEUES, type JobContext, type JobDefinition } from '../ports/jobs.port.js';
import type { LockPort } from '../ports/lock.port.js';
import {
  instanceJobSchema,
  type InstanceAction,
  type InstanceJobData,
} from '../schemas/job.schema.js';
import { defineJob } from './define-job.js';
import { oneJobPerInstance } from './instance-lock.js';

export interface InstanceJobDeps {
  locks: LockPort;
  metrics: Metrics;
}

export interface InstanceJobResult {
  outcome: string;
  ms: number;
}

/** What the five instance jobs share: their data, queue, retry policy and the per-instance lock. */
export function instanceJob(
  deps: InstanceJobDeps,
  name: InstanceAction,
  run: (instanceId: number, data: InstanceJobData, ctx: JobContext) => Promise<string>,
  onFinalFailure?: (data: InstanceJobData, err: unknown) => Promise<void>,
): JobDefinition {
  return defineJob<InstanceJobData, InstanceJobResult>({
    name,
    queue: QUEUES.instances,
    schema: instanceJobSchema,
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 2_000 },
    handler: oneJobPerInstance(deps.locks, async (data, ctx) => {
      const started = Date.now();
      const outcome = await run(data.instanceId, data, ctx);
      const ms = Date.now() - started;
      // a tenant that came up (provisioned, paid for, reactivated) is what the histogram times
      if (outcome === 'running') deps.metrics.provisionSeconds.observe(ms / 1000);
      return { outcome, ms };
    }),
    onFinalFailure,
  });
}

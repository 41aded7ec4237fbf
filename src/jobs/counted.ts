import { BridgeError, BusyError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import type { JobDefinition } from '../ports/jobs.port.js';

/** Counts each run's outcome in saas_jobs_total; a busy job did not run, so it is not counted. */
export function counted(metrics: Metrics, definition: JobDefinition): JobDefinition {
  const { name, handler } = definition;
  return {
    ...definition,
    handler: async (data, ctx) => {
      try {
        const result = await handler(data, ctx);
        metrics.jobs.inc({ name, outcome: 'completed' });
        return result;
      } catch (err) {
        if (!(err instanceof BusyError)) {
          const final = ctx.finalAttempt || (err instanceof BridgeError && err.permanent);
          metrics.jobs.inc({ name, outcome: final ? 'failed' : 'retried' });
        }
        throw err;
      }
    },
  };
}

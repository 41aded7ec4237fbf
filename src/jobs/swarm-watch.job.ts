import { z } from 'zod';
import { QUEUES } from '../ports/jobs.port.js';
import type { SwarmWatchService } from '../services/swarm-watch.service.js';
import { defineJob } from './define-job.js';

/** DOCKER_MODE=swarm: tenants Swarm moved by itself are re-routed within seconds; the next pass comes soon. */
export function swarmWatchJob(deps: { swarmWatch: SwarmWatchService }) {
  return defineJob<object, { moved: string[] }>({
    name: 'swarm-watch',
    queue: QUEUES.maintenance,
    schema: z.object({}),
    attempts: 1,
    handler: () => deps.swarmWatch.pass(),
  });
}

import { z } from 'zod';
import type { OdooPort } from '../ports/odoo.port.js';
import { QUEUES, type JobQueuePort } from '../ports/jobs.port.js';
import type { TemplateService } from '../services/template.service.js';
import { defineJob } from './define-job.js';

/** Builds every plan's template ahead of time, so the first customer of a plan does not wait. */
export function warmTemplatesJob(deps: { odoo: OdooPort; templates: TemplateService }) {
  return defineJob<object, { templates: string[] }>({
    name: 'warm-templates',
    queue: QUEUES.maintenance,
    schema: z.object({}),
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 2_000 },
    handler: async (_data, ctx) => {
      const plans = await deps.odoo.listPlans();
      const built: string[] = [];
      for (const plan of plans) {
        built.push(await deps.templates.ensure(plan));
        await ctx.progress(Math.round((built.length * 100) / plans.length));
      }
      return { templates: built };
    },
  });
}

/** at every start: a template lock keeps concurrent builds of one template apart, not the job id */
export async function warmTemplatesNow(queue: JobQueuePort, now = Date.now()): Promise<void> {
  await queue.enqueue('warm-templates', {}, { jobId: `warm-templates-${now}` });
}

import { UnrecoverableError, type Job } from '../adapters/job-queue.adapter.js';
import type { Logger } from '../observability/logger.js';
import type { OdooPort } from '../ports/odoo.port.js';
import type { ReconcileService } from '../services/reconcile.service.js';
import type { TemplateService } from '../services/template.service.js';

export interface MaintenanceDeps {
  reconcile: ReconcileService;
  templates: TemplateService;
  odoo: OdooPort;
  logger: Logger;
}

/** Periodic reconciliation, and template warm-up so the first customer of a plan does not wait. */
export function maintenanceProcessor(deps: MaintenanceDeps) {
  return async (job: Job): Promise<unknown> => {
    switch (job.name) {
      case 'reconcile':
        return deps.reconcile.reconcile();
      case 'warm-templates': {
        const plans = await deps.odoo.listPlans();
        const built: string[] = [];
        for (const plan of plans) {
          built.push(await deps.templates.ensure(plan));
          await job.updateProgress(Math.round((built.length * 100) / plans.length));
        }
        return { templates: built };
      }
      default:
        throw new UnrecoverableError(`no handler for maintenance job "${job.name}"`);
    }
  };
}

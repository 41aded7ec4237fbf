import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one bridge process; created once and passed where needed. */
export class Metrics {
  readonly registry = new Registry();
  readonly jobs = new Counter({
    name: 'saas_jobs_total',
    help: 'Jobs finished, by queue/job name and outcome',
    labelNames: ['name', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly provisionSeconds = new Histogram({
    name: 'saas_provision_duration_seconds',
    help: 'Time from provisioning job start to a running, reachable tenant',
    buckets: [2, 4, 6, 8, 10, 15, 20, 30, 45, 60, 120],
    registers: [this.registry],
  });
  readonly instances = new Gauge({
    name: 'saas_instances',
    help: 'Instances known to the master Odoo, by state (refreshed by the reconciler)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: 'saas_events_total',
    help: 'Events received from the master, by type and result',
    labelNames: ['type', 'result'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

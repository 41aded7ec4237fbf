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

  readonly backups = new Counter({
    name: 'saas_backups_total',
    help: 'Backups finished, by kind (scheduled, manual, before-restore, final) and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly backupSeconds = new Histogram({
    name: 'saas_backup_duration_seconds',
    help: 'Time to dump and store one backup (database + filestore)',
    labelNames: ['kind'] as const,
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
    registers: [this.registry],
  });
  readonly backupAge = new Gauge({
    name: 'saas_backup_newest_age_seconds',
    help: 'Seconds since the newest finished backup, per instance id ("master" for the master)',
    labelNames: ['instance'] as const,
    registers: [this.registry],
  });

  readonly capacityUsed = new Gauge({
    name: 'saas_capacity_used',
    help: 'Host capacity planned for tenants, by resource (memory MiB by expected footprint, cpu cores by limits, PostgreSQL connections in use)',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly capacityTotal = new Gauge({
    name: 'saas_capacity_total',
    help: 'Host capacity tenants may be planned into, by resource (overcommit applied; disk: MiB free beyond the reserve)',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly capacityHeadroom = new Gauge({
    name: 'saas_capacity_headroom',
    help: 'What is left of each resource for new tenants (total - used)',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly capacityAlert = new Gauge({
    name: 'saas_capacity_alert',
    help: '1 while a resource is above the alert share (CAPACITY_ALERT_PERCENT)',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly waitingForCapacity = new Gauge({
    name: 'saas_instances_waiting_capacity',
    help: 'Instances waiting for room on the host',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

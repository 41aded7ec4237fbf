import { statfs } from 'node:fs/promises';
import os from 'node:os';
import type { Config } from './config.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import type { DatabasePort } from './ports/database.port.js';
import type { DockerPort } from './ports/docker.port.js';
import type { MailPort } from './ports/mail.port.js';
import type { OdooPort } from './ports/odoo.port.js';
import { CapacityService } from './services/capacity.service.js';
import { CapacityWatchService } from './services/capacity-watch.service.js';

/** what the master Odoo, PostgreSQL (shared_buffers) and the OS keep of the host's memory */
const HOST_RESERVE_MB = 3072;

/** The capacity check and its periodic pass, from config (src/wiring.ts adds them in three lines). */
export function wireCapacity(deps: {
  config: Config;
  db: DatabasePort;
  docker: DockerPort;
  odoo: OdooPort;
  mailer: MailPort;
  metrics: Metrics;
  logger: Logger;
  requestProvision(instanceId: number): Promise<void>;
}) {
  const { config, metrics } = deps;
  const c = config.capacity;
  const hostMb = Math.floor(os.totalmem() / 1024 / 1024);
  const capacity = new CapacityService({
    db: deps.db,
    docker: deps.docker,
    plans: () => deps.odoo.listPlans(),
    freeDiskMb: async () => {
      const fs = await statfs(config.docker.dataDir);
      return Math.floor((fs.bavail * fs.bsize) / 1024 / 1024);
    },
    // Swarm: memory and CPU per node (the host's own figures then count for nothing)
    ...(deps.docker.nodes ? { nodes: deps.docker.nodes.bind(deps.docker) } : {}),
    settings: {
      memoryMb: c.memoryMb || Math.max(hostMb - HOST_RESERVE_MB, 1024),
      memoryOvercommit: c.memoryOvercommit,
      cpus: os.availableParallelism(),
      cpuOvercommit: c.cpuOvercommit,
      spareConnections: c.spareConnections,
      minFreeDiskMb: c.minFreeDiskMb,
      defaultFootprintMb: c.defaultFootprintMb,
      alertPercent: c.alertPercent,
    },
  });
  const watch = new CapacityWatchService({
    capacity,
    odoo: deps.odoo,
    mailer: deps.mailer,
    logger: deps.logger.child({ component: 'capacity' }),
    alertTo: c.alertEmail || undefined,
    requestProvision: deps.requestProvision,
    record: (use, alerts, waiting) => {
      for (const [resource, u] of Object.entries(use)) {
        metrics.capacityUsed.set({ resource }, u.used);
        metrics.capacityTotal.set({ resource }, u.capacity);
        metrics.capacityHeadroom.set({ resource }, u.capacity - u.used);
        metrics.capacityAlert.set({ resource }, alerts.has(resource as never) ? 1 : 0);
      }
      metrics.waitingForCapacity.set(waiting);
    },
  });
  return {
    capacity,
    watch,
    schedule: { name: 'capacity-check' as const, everyMs: c.checkSeconds * 1000, data: {} },
  };
}

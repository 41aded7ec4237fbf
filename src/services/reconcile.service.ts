import type { Logger } from '../observability/logger.js';
import type { ContainerInfo, DockerPort } from '../ports/docker.port.js';
import {
  INSTANCE_STATES,
  type InstanceRecord,
  type InstanceState,
  type OdooPort,
} from '../ports/odoo.port.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import { tenantContainerName, tenantHost } from './naming.js';
import { MANAGED_LABEL, ODOO_HTTP_PORT } from './tenant-runtime.js';

export interface ReconcileDeps {
  odoo: OdooPort;
  docker: DockerPort;
  proxy: ProxyPort;
  logger: Logger;
  baseDomain: string;
  /** queues provisioning for an instance that should run but has no container */
  requestProvision(instanceId: number): Promise<void>;
  recordStates(counts: Record<InstanceState, number>): void;
}

export interface ReconcileReport {
  started: string[];
  stopped: string[];
  rerouted: string[];
  provisionRequested: number[];
  orphans: string[];
}

/**
 * Makes Docker match what Odoo wants: starts what should run, stops what should not, re-points routes
 * (addresses change when containers restart) and reports orphans. It never deletes anything.
 */
export class ReconcileService {
  constructor(private readonly deps: ReconcileDeps) {}

  async reconcile(): Promise<ReconcileReport> {
    const { odoo, docker, logger } = this.deps;
    const report: ReconcileReport = {
      started: [],
      stopped: [],
      rerouted: [],
      provisionRequested: [],
      orphans: [],
    };
    const [instances, containers] = await Promise.all([
      odoo.listInstances(),
      docker.listContainers(MANAGED_LABEL),
    ]);
    this.deps.recordStates(countStates(instances));
    const byName = new Map(containers.map((c) => [c.name, c]));
    const known = new Set<string>();
    for (const instance of instances) {
      const name = tenantContainerName(instance.subdomain);
      known.add(name);
      try {
        await this.reconcileOne(instance, byName.get(name), report);
      } catch (err) {
        logger.warn(
          { instance: instance.id, err },
          'reconcile of one instance failed; next pass retries',
        );
      }
    }
    for (const container of containers) {
      if (container.labels['saas.instance'] && !known.has(container.name))
        report.orphans.push(container.name);
    }
    if (report.orphans.length > 0)
      logger.warn({ orphans: report.orphans }, 'containers without an instance in Odoo (kept)');
    logger.info({ ...report, instances: instances.length }, 'reconciled');
    return report;
  }

  private async reconcileOne(
    instance: InstanceRecord,
    container: ContainerInfo | undefined,
    report: ReconcileReport,
  ): Promise<void> {
    const { docker, proxy } = this.deps;
    if (instance.state === 'running') {
      if (!container) {
        await this.deps.requestProvision(instance.id);
        report.provisionRequested.push(instance.id);
        return;
      }
      let current = container;
      if (container.status !== 'running') {
        current = await docker.startContainer(container.name);
        report.started.push(container.name);
      }
      if (current.ip) {
        await proxy.routeToUpstream(
          tenantHost(instance.subdomain, this.deps.baseDomain),
          `${current.ip}:${ODOO_HTTP_PORT}`,
        );
        report.rerouted.push(container.name);
      }
      return;
    }
    if (instance.state === 'provisioning') {
      // a provisioning whose job was lost (given up after crashes) would wait forever; asking again is
      // safe: jobs of one instance run one at a time and every step looks before it acts
      await this.deps.requestProvision(instance.id);
      report.provisionRequested.push(instance.id);
      return;
    }
    if (
      ['suspended', 'terminating', 'terminated'].includes(instance.state) &&
      container?.status === 'running'
    ) {
      await docker.stopContainer(container.name);
      report.stopped.push(container.name);
    }
  }
}

function countStates(instances: InstanceRecord[]): Record<InstanceState, number> {
  const counts = Object.fromEntries(INSTANCE_STATES.map((s) => [s, 0])) as Record<
    InstanceState,
    number
  >;
  for (const instance of instances) counts[instance.state] += 1;
  return counts;
}

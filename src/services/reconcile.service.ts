import type { Logger } from '../observability/logger.js';
import type { ContainerInfo, DockerPort } from '../ports/docker.port.js';
import {
  INSTANCE_STATES,
  type InstanceRecord,
  type InstanceState,
  type OdooPort,
} from '../ports/odoo.port.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import type { TenantLimitsService } from './tenant-limits.js';
import type { TenantMailRelayService } from './tenant-mail-relay.service.js';
import {
  INSTANCE_LABEL,
  OWNER_LABEL,
  TENANT_LABEL,
  type TenantIdentity,
} from './tenant-identity.js';
import { routeInstanceHosts } from './instance-hosts.js';
import { MANAGED_LABEL, ODOO_HTTP_PORT } from './tenant-runtime.js';

export interface ReconcileDeps {
  odoo: OdooPort;
  docker: DockerPort;
  proxy: ProxyPort;
  identity: TenantIdentity;
  limits: Pick<TenantLimitsService, 'reapply'>;
  /** gives running tenants without an outgoing mail server the relay; none: servers left alone */
  mailRelay?: Pick<TenantMailRelayService, 'backfill'>;
  logger: Logger;
  /** queues provisioning for an instance that should run but has no container */
  requestProvision(instanceId: number): Promise<void>;
  recordStates(counts: Record<InstanceState, number>): void;
  /**
   * a sleeping instance's hosts to the wake handler (hibernation); without it sleeping instances are
   * left as they are
   */
  routeAsleep?(instance: InstanceRecord): Promise<void>;
}

export interface ReconcileReport {
  started: string[];
  stopped: string[];
  rerouted: string[];
  provisionRequested: number[];
  orphans: string[];
  /** instances whose limits in the tenant differed from their plan's, and were written again */
  limitsApplied: number[];
  /** instances that had no outgoing mail server and got the platform's relay */
  mailRelayAdded: number[];
  /** sleeping instances (hibernation): left stopped, their hosts kept on the wake handler */
  sleeping?: string[];
  /** warm spares nobody has taken: ours, never orphans, left as they are */
  spares?: string[];
  /** tenants found on another node than the master shows (Swarm moved them): node and address written */
  moved?: string[];
}

/**
 * Makes Docker match what Odoo wants: starts what should run, stops what should not, re-points routes
 * (addresses change when containers restart) and reports orphans. It never deletes anything.
 * Containers are matched to instances by their `saas.instance` label (a warm spare an instance took:
 * by its `saas.tenant` label, the instance's ref), among those of this master's
 * owner only: another stack's tenants on the same engine are not seen, and a subdomain sold again
 * after a termination never points the old instance at the new customer's container.
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
      limitsApplied: [],
      mailRelayAdded: [],
    };
    const [instances, containers] = await Promise.all([
      odoo.listInstances(),
      docker.listContainers(MANAGED_LABEL),
    ]);
    this.deps.recordStates(countStates(instances));
    const ours = this.ownContainers(instances, containers);
    const matched = new Set<string>();
    for (const instance of instances) {
      const container = ours.get(String(instance.id));
      if (container) matched.add(container.name);
      try {
        await this.reconcileOne(instance, container, report);
      } catch (err) {
        logger.warn(
          { instance: instance.id, err },
          'reconcile of one instance failed; next pass retries',
        );
      }
    }
    for (const container of containers) {
      if (container.labels[OWNER_LABEL] !== this.deps.identity.owner || matched.has(container.name))
        continue;
      if (this.deps.identity.isSpare(container)) (report.spares ??= []).push(container.name);
      else report.orphans.push(container.name);
    }
    // cheap (one query per tenant database, no Docker, no tenant Odoo): a limit changed in the
    // master, or forced by hand in the tenant, is back within one pass
    const waiting = new Set(report.provisionRequested);
    try {
      report.limitsApplied = await this.deps.limits.reapply(
        instances.filter((i) => !waiting.has(i.id)),
      );
    } catch (err) {
      logger.warn({ err }, 'limits not re-applied (plans unreadable?); next pass retries');
    }
    if (this.deps.mailRelay)
      report.mailRelayAdded = await this.deps.mailRelay.backfill(
        instances.filter((i) => !waiting.has(i.id)),
      );
    if (report.orphans.length > 0)
      logger.warn({ orphans: report.orphans }, 'containers without an instance in Odoo (kept)');
    logger.info({ ...report, instances: instances.length }, 'reconciled');
    return report;
  }

  /**
   * Instance id -> its container: labelled with our owner, or (made before owners existed) with no
   * owner and the very name this master gives the instance's tenant. Of two, the one named like the
   * instance's tenant wins; the other is an orphan.
   */
  private ownContainers(
    instances: InstanceRecord[],
    containers: ContainerInfo[],
  ): Map<string, ContainerInfo> {
    const { identity } = this.deps;
    const nameOf = new Map(instances.map((i) => [String(i.id), identity.namesOf(i).container]));
    const idOfRef = new Map(instances.map((i) => [i.tenantRef, String(i.id)]));
    const byInstance = new Map<string, ContainerInfo>();
    for (const container of containers) {
      // a warm spare an instance took keeps the labels it was made with: its tenant ref tells whose
      const id = identity.isSpare(container)
        ? idOfRef.get(container.labels[TENANT_LABEL] ?? '')
        : container.labels[INSTANCE_LABEL];
      if (!id) continue;
      const owner = container.labels[OWNER_LABEL];
      const named = nameOf.get(id) === container.name;
      if (owner !== identity.owner && !(owner === undefined && named)) continue;
      if (!byInstance.has(id) || named) byInstance.set(id, container);
    }
    return byInstance;
  }

  private async reconcileOne(
    instance: InstanceRecord,
    container: ContainerInfo | undefined,
    report: ReconcileReport,
  ): Promise<void> {
    const { docker } = this.deps;
    if (instance.state === 'running') {
      if (!container) {
        await this.deps.requestProvision(instance.id);
        report.provisionRequested.push(instance.id);
        return;
      }
      // a sleeping tenant is not down: only a visitor wakes it (docs/hibernation.md); its hosts stay on
      // the wake handler (a proxy that lost its routes gets them back)
      if (instance.sleeping && container.status !== 'running') {
        await this.deps.routeAsleep?.(instance);
        (report.sleeping ??= []).push(container.name);
        return;
      }
      let current = container;
      if (container.status !== 'running') {
        current = await docker.startContainer(container.name);
        report.started.push(container.name);
      }
      if (current.ip) {
        await routeInstanceHosts(
          this.deps,
          this.deps.identity.namesOf(instance).host,
          instance,
          `${current.ip}:${ODOO_HTTP_PORT}`,
        );
        report.rerouted.push(container.name);
        if (current.node && current.node !== instance.node) {
          await this.deps.odoo.updateInstance(instance.id, {
            node_name: current.node,
            direct_url: `http://${current.ip}:${ODOO_HTTP_PORT}`,
          });
          (report.moved ??= []).push(container.name);
        }
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

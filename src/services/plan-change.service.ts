import { BridgeError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { DatabasePort } from '../ports/database.port.js';
import type { DockerPort } from '../ports/docker.port.js';
import type { InstanceRecord, OdooPort, PlanRecord } from '../ports/odoo.port.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import type { TenantPort } from '../ports/tenant.port.js';
import type { PlanChangedMailData } from '../schemas/job.schema.js';
import { loadInstance } from './instance-loader.js';
import type { TenantLimitsService } from './tenant-limits.js';
import { escapeHtml } from './secrets.js';
import type { TenantIdentity } from './tenant-identity.js';
import { routeInstanceHosts } from './instance-hosts.js';
import { ODOO_HTTP_PORT } from './tenant-runtime.js';

/** Installs the plan's apps the running tenant lacks (services/plan-apps.service.ts). */
export type PlanAppsInstaller = (
  instance: InstanceRecord,
  plan: PlanRecord,
) => Promise<{ installed: string[]; note: string }>;

export interface PlanChangeDeps {
  odoo: OdooPort;
  docker: DockerPort;
  db: DatabasePort;
  tenant: TenantPort;
  /** the same limits step provisioning and the reconciler use (services/tenant-limits.ts) */
  limits: Pick<TenantLimitsService, 'apply'>;
  proxy: ProxyPort;
  identity: TenantIdentity;
  logger: Logger;
  readyTimeoutMs: number;
  installApps: PlanAppsInstaller;
  /** the customer's mail about the new plan; one per instance and event */
  queueMail(data: PlanChangedMailData): Promise<void>;
}

/** states with a tenant whose limits a new plan changes (a sleeping tenant is not woken) */
const APPLIED_STATES = ['running', 'suspended', 'error'];

/**
 * The master switched an instance's plan (`instance.plan_changed`): the container gets the plan's
 * memory and CPU (live where Docker allows it), the tenant the plan's limits, the plan's apps are
 * installed, and the customer is told. Each step looks first, so a retried job converges.
 */
export class PlanChangeService {
  constructor(private readonly deps: PlanChangeDeps) {}

  async apply(instanceId: number, eventId: string): Promise<string> {
    const { odoo, docker, db } = this.deps;
    const instance = await loadInstance(odoo, instanceId);
    if (!APPLIED_STATES.includes(instance.state))
      return `nothing to apply (${instance.state}): provisioning reads the plan`;
    const plan = await odoo.getPlan(instance.planId);
    const names = this.deps.identity.namesOf(instance);
    const done: string[] = [];
    const container = await docker.findContainer(names.container);
    if (container) {
      const how = await docker.updateLimits(names.container, {
        memoryMb: plan.memoryMb,
        cpus: plan.cpuLimit,
        reservedMemoryMb: plan.expectedMemoryMb,
      });
      if (how === 'restarted' && container.status === 'running') await this.reroute(instance);
      done.push(
        `container ${how === 'live' ? 'updated live' : 'restarted'} to ${plan.memoryMb} MB and ${plan.cpuLimit} CPU`,
      );
    } else {
      done.push('no container (the next one is made with the new plan)');
    }
    const dbName = instance.dbName ?? names.db;
    if (await db.databaseExists(dbName)) {
      await this.deps.limits.apply({ ...instance, dbName }, plan);
      done.push(
        `limits written (users ${plan.maxUsers || 'unlimited'}, storage ${plan.storageMb} MB)`,
      );
    }
    const apps = await this.deps.installApps(instance, plan);
    done.push(apps.note);
    await odoo.postNote(
      instanceId,
      `Plan ${escapeHtml(plan.name)} applied: ${done.map(escapeHtml).join('; ')}.`,
    );
    try {
      await this.deps.queueMail({ instanceId, eventId, planCode: plan.code });
    } catch (err) {
      this.deps.logger.warn({ instance: instanceId, err }, 'could not queue the plan mail');
    }
    return 'plan applied';
  }

  /** a restart may give the container another address: wait for it and route there */
  private async reroute(instance: InstanceRecord): Promise<void> {
    const names = this.deps.identity.namesOf(instance);
    const container = await this.deps.docker.findContainer(names.container);
    if (!container?.ip)
      throw new BridgeError('docker_failed', `container ${names.container} has no address`);
    const directUrl = `http://${container.ip}:${ODOO_HTTP_PORT}`;
    await this.deps.tenant.waitReady(directUrl, this.deps.readyTimeoutMs);
    await routeInstanceHosts(this.deps, names.host, instance, `${container.ip}:${ODOO_HTTP_PORT}`);
    await this.deps.odoo.updateInstance(instance.id, { direct_url: directUrl });
  }
}

import { BridgeError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { FinalBackupPort } from '../ports/backup.port.js';
import type { DatabasePort } from '../ports/database.port.js';
import type { DockerPort } from '../ports/docker.port.js';
import type { FilestorePort } from '../ports/filestore.port.js';
import type { InstanceRecord, OdooPort, PlanRecord } from '../ports/odoo.port.js';
import { instanceHosts, routeInstanceHosts } from './instance-hosts.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import type { TenantPort } from '../ports/tenant.port.js';
import type { StateMailData } from '../schemas/job.schema.js';
import { loadInstance } from './instance-loader.js';
import { odooDatetime, type ProvisioningService } from './provisioning.service.js';
import { escapeHtml } from './secrets.js';
import type { PlanAppsService } from './plan-apps.service.js';
import type { TenantIdentity } from './tenant-identity.js';
import type { TenantLimitsService } from './tenant-limits.js';
import { ODOO_HTTP_PORT } from './tenant-runtime.js';

export interface LifecycleDeps {
  odoo: OdooPort;
  docker: DockerPort;
  proxy: ProxyPort;
  tenant: TenantPort;
  db: DatabasePort;
  filestore: FilestorePort;
  finalBackup: FinalBackupPort;
  provisioning: ProvisioningService;
  /** queues a customer mail (suspended, back, renewed, deleted); one per instance, kind and event */
  queueMail(data: StateMailData, eventId: string): Promise<void>;
  identity: TenantIdentity;
  /** a tenant comes back with its plan's limits as they are now (a plan may have changed meanwhile) */
  limits: Pick<TenantLimitsService, 'apply'>;
  /** and with the plan's apps, when it changed plan while stopped */
  planApps: Pick<PlanAppsService, 'install'>;
  logger: Logger;
  /** the customer's renew page in the master portal, for the suspended page */
  renewUrl(instanceId: number): string;
  readyTimeoutMs: number;
}

/** What the event behind an instance job says beyond the instance id. */
export interface LifecycleRequest {
  /** names the mails this job queues, so a job run again queues none twice */
  eventId: string;
  /** the open renewal invoice, whose pay link the suspended mail reads from the master */
  invoiceId?: number;
  /** terminate: final backup, then everything of the tenant deleted */
  purge?: boolean;
}

const NO_REQUEST: LifecycleRequest = { eventId: 'admin' };
const NOT_PROVISIONED = ['draft', 'provisioning', 'error', 'waiting_capacity'];

/**
 * Suspension, reactivation, termination and payments of instances that exist. Data is deleted
 * only by a purge, and only after its final backup was made. Mails are queued after the state is
 * written; a mail that cannot be queued is logged and changes nothing.
 */
export class LifecycleService {
  constructor(private readonly deps: LifecycleDeps) {}

  /**
   * A paid invoice: the first payment provisions, a suspended instance comes back, a running one
   * is renewed. The master has already moved the expiry; the tenant learns it here.
   */
  async paid(instanceId: number, request: LifecycleRequest = NO_REQUEST): Promise<string> {
    const instance = await this.load(instanceId);
    if (NOT_PROVISIONED.includes(instance.state)) {
      return this.deps.provisioning.provision(instanceId);
    }
    if (instance.state === 'suspended') {
      const outcome = await this.reactivate(instanceId);
      if (outcome !== 'running') return outcome;
      await this.writeExpiry(instanceId);
      await this.mail({ instanceId, kind: 'reactivated' }, request);
      return outcome;
    }
    if (instance.state !== 'running') return `nothing to do (${instance.state})`;
    // the first payment of a new instance does not move its expiry (the master extends renewals
    // only): the tenant already holds that date from its set-up, and nothing was renewed
    const db = instance.dbName ?? this.deps.identity.namesOf(instance).db;
    if (
      instance.expirationDate &&
      (await this.deps.tenant.getExpiration(db)) === instance.expirationDate
    ) {
      return 'paid: expiry unchanged';
    }
    const expiry = await this.writeExpiry(instanceId);
    await this.deps.odoo.postNote(
      instanceId,
      `Payment received: the tenant now expires on ${escapeHtml(expiry ?? '-')}.`,
    );
    await this.mail({ instanceId, kind: 'renewed' }, request);
    return 'renewed';
  }

  /** The last failure of a paid job: a provisioning's is recorded as one, else only noted. */
  async paidFailed(instanceId: number, err: unknown): Promise<void> {
    const instance = await this.deps.odoo.getInstance(instanceId).catch(() => undefined);
    if (!instance || NOT_PROVISIONED.includes(instance.state))
      return this.deps.provisioning.fail(instanceId, err);
    const reason = err instanceof Error ? err.message : String(err);
    await this.deps.odoo.updateInstance(instanceId, { last_error: reason.slice(0, 2000) });
    await this.deps.odoo.postNote(instanceId, `Payment not applied: ${escapeHtml(reason)}`);
  }

  async suspend(instanceId: number, request: LifecycleRequest = NO_REQUEST): Promise<string> {
    const instance = await this.load(instanceId);
    if (instance.state === 'suspended') return 'already suspended';
    if (instance.state !== 'running' && instance.state !== 'error')
      return `not suspended: instance is ${instance.state}`;
    const names = this.deps.identity.namesOf(instance);
    await this.deps.docker.stopContainer(names.container);
    // its custom domains show the suspended page too (over HTTPS: their certificates stay)
    for (const host of instanceHosts(names.host, instance))
      await this.deps.proxy.routeToSuspendedPage(
        host,
        this.deps.renewUrl(instanceId),
        this.deps.identity.routeLabels(instance),
      );
    await this.deps.odoo.updateInstance(
      instanceId,
      { state: 'suspended', suspended_since: odooDatetime(new Date()) },
      'Instance suspended: container stopped, data kept.',
    );
    await this.mail({ instanceId, kind: 'suspended', invoiceId: request.invoiceId }, request);
    return 'suspended';
  }

  async reactivate(instanceId: number): Promise<string> {
    const instance = await this.load(instanceId);
    if (instance.state === 'running') return 'already running';
    if (instance.state !== 'suspended') return `not reactivated: instance is ${instance.state}`;
    const names = this.deps.identity.namesOf(instance);
    const name = names.container;
    if (!(await this.deps.docker.findContainer(name))) {
      // container lost while suspended: provisioning rebuilds it on the kept database
      await this.deps.odoo.updateInstance(instanceId, { state: 'provisioning' });
      return this.deps.provisioning.provision(instanceId);
    }
    const plan = await this.deps.odoo.getPlan(instance.planId);
    // written into the stopped tenant's database, so it starts with them (a customer could not
    // have changed them meanwhile: saas_tenant refuses that, but a plan change may have)
    await this.deps.limits.apply(instance, plan);
    const started = Date.now();
    const container = await this.deps.docker.startContainer(name);
    if (!container.ip) throw new BridgeError('docker_failed', `container ${name} has no address`);
    const directUrl = `http://${container.ip}:${ODOO_HTTP_PORT}`;
    await this.deps.tenant.waitReady(directUrl, this.deps.readyTimeoutMs);
    await routeInstanceHosts(this.deps, names.host, instance, `${container.ip}:${ODOO_HTTP_PORT}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    await this.deps.odoo.updateInstance(
      instanceId,
      { state: 'running', direct_url: directUrl, suspended_since: false },
      `Instance reactivated in ${seconds} s.`,
    );
    await this.installPlanApps(instance, plan);
    return 'running';
  }

  /**
   * Stops and removes the container and the route; the database and filestore stay for the final
   * backup. With `purge`, the final backup is made and everything else deleted too.
   */
  async terminate(instanceId: number, request: LifecycleRequest = NO_REQUEST): Promise<string> {
    const instance = await this.load(instanceId);
    if (request.purge) return this.purge(instance, request);
    if (instance.state === 'terminated') return 'already terminated';
    const names = this.deps.identity.namesOf(instance);
    await this.deps.odoo.updateInstance(instanceId, { state: 'terminating' });
    await this.deps.docker.removeContainer(names.container);
    for (const host of instanceHosts(names.host, instance)) await this.deps.proxy.removeRoute(host);
    await this.deps.odoo.updateInstance(
      instanceId,
      { state: 'terminated' },
      `Instance terminated: container and route removed; database ${escapeHtml(instance.dbName ?? names.db)} kept.`,
    );
    return 'terminated';
  }

  /**
   * Final backup first (nothing is deleted without it), then container, route, database, role and
   * filestore. Each step looks before it acts, so a purge run again after a failure goes on where
   * it stopped. `purged_at` is written last: only then may the master sell the subdomain again.
   */
  private async purge(instance: InstanceRecord, request: LifecycleRequest): Promise<string> {
    const { id } = instance;
    if (instance.state === 'terminated' && instance.purgedAt) return 'already purged';
    const names = this.deps.identity.namesOf(instance);
    const db = instance.dbName ?? names.db;
    if (await this.deps.db.databaseExists(db)) {
      const { snapshotId } = await this.deps.finalBackup.finalBackup({
        instanceId: id,
        subdomain: instance.subdomain,
        db,
      });
      await this.deps.odoo.postNote(id, `Final backup made: snapshot ${escapeHtml(snapshotId)}.`);
    }
    if (instance.state !== 'terminating')
      await this.deps.odoo.updateInstance(id, { state: 'terminating' });
    const container = names.container;
    if (await this.deps.docker.findContainer(container))
      await this.deps.docker.removeContainer(container);
    // a missing route is no error
    for (const host of instanceHosts(names.host, instance)) await this.deps.proxy.removeRoute(host);
    if (await this.deps.db.databaseExists(db)) await this.deps.db.dropDatabase(db);
    await this.deps.db.dropRole(db); // the tenant's role is named after its database; IF EXISTS
    if (await this.deps.filestore.exists(db)) await this.deps.filestore.remove(db);
    await this.deps.odoo.updateInstance(id, {
      state: 'terminated',
      purged_at: odooDatetime(new Date()),
    });
    await this.deps.odoo.postNote(
      id,
      `Instance purged: container, route, database, role and filestore of ${escapeHtml(db)} deleted.`,
    );
    await this.mail({ instanceId: id, kind: 'deleted' }, request);
    return 'purged';
  }

  /** the master's (already moved) expiry into the tenant; answers it */
  /** the tenant already serves: an app that fails to install is told, and does not undo that */
  private async installPlanApps(instance: InstanceRecord, plan: PlanRecord): Promise<void> {
    try {
      const { installed, note } = await this.deps.planApps.install(instance, plan);
      if (installed.length || note.includes('NOT'))
        await this.deps.odoo.postNote(
          instance.id,
          escapeHtml(`Back on plan ${plan.name}: ${note}.`),
        );
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.deps.logger.warn(
        { instance: instance.id, err },
        'plan apps not installed on reactivation',
      );
      await this.deps.odoo.postNote(
        instance.id,
        escapeHtml(`Apps of plan ${plan.name} not installed: ${reason}`),
      );
    }
  }

  private async writeExpiry(instanceId: number): Promise<string | undefined> {
    const instance = await this.load(instanceId);
    if (!instance.expirationDate) return undefined;
    const db = instance.dbName ?? this.deps.identity.namesOf(instance).db;
    await this.deps.tenant.setExpiration(db, instance.expirationDate);
    return instance.expirationDate;
  }

  private async mail(data: StateMailData, request: LifecycleRequest): Promise<void> {
    try {
      await this.deps.queueMail(data, request.eventId);
    } catch (err) {
      this.deps.logger.warn(
        { instance: data.instanceId, mail: data.kind, err },
        'could not queue the mail; the state change stands',
      );
    }
  }

  private load(instanceId: number): Promise<InstanceRecord> {
    return loadInstance(this.deps.odoo, instanceId);
  }
}

import { BridgeError, errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { DatabasePort } from '../ports/database.port.js';
import type { DockerPort } from '../ports/docker.port.js';
import type { InstanceRecord, OdooPort, PlanRecord } from '../ports/odoo.port.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import type { TenantPort } from '../ports/tenant.port.js';
import type {
  ModuleVersionsPort,
  RolloutRecordsPort,
  UpdateBackupPort,
  UpdateReport,
} from '../ports/update.port.js';
import type { UpdateInstanceData } from '../schemas/update-job.schema.js';
import { loadInstance } from './instance-loader.js';
import { routeInstanceHosts } from './instance-hosts.js';
import { tenantContainerSpec } from './provisioning/container.step.js';
import { strongPassword } from './secrets.js';
import type { TenantIdentity } from './tenant-identity.js';
import {
  ODOO_HTTP_PORT,
  TENANT_ADDON,
  odooContainerSpec,
  type TenantRuntime,
} from './tenant-runtime.js';
import { tenantSizing } from './tenant-sizing.js';

export interface TenantUpdateDeps {
  odoo: Pick<OdooPort, 'getInstance' | 'getPlan' | 'updateInstance' | 'listInstances'>;
  records: RolloutRecordsPort;
  backups: UpdateBackupPort;
  docker: Pick<
    DockerPort,
    | 'findContainer'
    | 'stopContainer'
    | 'removeContainer'
    | 'createContainer'
    | 'startContainer'
    | 'runToCompletion'
  >;
  db: Pick<DatabasePort, 'ensureRole'>;
  versions: ModuleVersionsPort;
  tenant: Pick<TenantPort, 'waitReady'>;
  proxy: Pick<ProxyPort, 'routeToUpstream'>;
  identity: TenantIdentity;
  runtime: TenantRuntime;
  /** host path of a database's Odoo data dir (FilestorePort.dataDirOf) */
  dataDirOf(db: string): string;
  /** the saas_tenant version this bridge's mounted addon declares (what a rollout may target) */
  availableVersion(): Promise<string>;
  readyTimeoutMs: number;
  /** how long the one-off `-u` container may run */
  updateTimeoutMs: number;
  logger: Logger;
  now?: () => number;
}

/** a tenant's container, up and answering, as the update leaves it */
interface Serving {
  directUrl: string;
}

/**
 * One instance's part of a rolling update: a backup first, then the tenant is stopped, its
 * modules updated (`odoo -u` in a one-off container of the tenant image, as the tenant's role),
 * started again and checked (200 on /web/login and the target version in its database). When
 * any step after the backup fails, the database and filestore go back to that backup and the
 * tenant is started again, so it serves its old version with its data. Either way the rollout's
 * line in the master gets the outcome, which sends the rollout's next instance.
 */
export class TenantUpdateService {
  private readonly now: () => number;

  constructor(private readonly deps: TenantUpdateDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** the outcome goes to the rollout's line, whose report the master also notes on the instance */
  async update(data: UpdateInstanceData, jobRef: string): Promise<string> {
    const report = await this.run(data, jobRef);
    await this.deps.records.report(data.rolloutLineId, report);
    return `${report.outcome}: ${report.message}`;
  }

  /**
   * Each provisioned tenant's saas_tenant version, as its database holds it, written on its
   * instance (called at start): tenants made from a template, or restored, show theirs too, and
   * a rollout leaves out those already on its target. Only a version that changed is written (every
   * bridge start would otherwise rewrite every instance, and its chatter's tracking). Answers how
   * many were written.
   */
  async recordVersions(): Promise<number> {
    const { deps } = this;
    const live = (await deps.odoo.listInstances()).filter((i) =>
      ['running', 'suspended'].includes(i.state),
    );
    let written = 0;
    for (const instance of live) {
      const db = instance.dbName ?? deps.identity.namesOf(instance).db;
      const version = await deps.versions.moduleVersion(db, TENANT_ADDON).catch(() => undefined);
      if (!version || version === instance.tenantVersion) continue;
      await deps.odoo.updateInstance(instance.id, { tenant_version: version });
      written += 1;
    }
    return written;
  }

  private async run(data: UpdateInstanceData, jobRef: string): Promise<UpdateReport> {
    const { deps } = this;
    const instance = await loadInstance(deps.odoo, data.instanceId);
    const db = instance.dbName ?? deps.identity.namesOf(instance).db;
    if (instance.state !== 'running')
      return refused(`instance is ${instance.state}: only a running tenant is updated`);
    const available = await deps.availableVersion();
    if (available !== data.targetVersion)
      return refused(
        `the bridge offers ${TENANT_ADDON} ${available}, the rollout targets ${data.targetVersion}`,
      );
    const before = await deps.versions.moduleVersion(db, TENANT_ADDON);
    const plan = await deps.odoo.getPlan(instance.planId);
    const started = this.now();
    let snapshot: string;
    try {
      snapshot = await deps.backups.backupBeforeUpdate(instance.id, `${jobRef}-before-update`);
    } catch (err) {
      return {
        outcome: 'failed',
        message: `backup before the update failed, nothing changed: ${errorMessage(err)}`,
        version: before,
      };
    }
    // the role gets a new password for the one-off and the new container: the old one is unknown
    const password = strongPassword(32);
    try {
      await this.stop(instance, db, plan, password);
      await this.upgradeModules(instance, db, plan, password, data.modules);
      const serving = await this.serve(instance, db, plan, password);
      const version = await deps.versions.moduleVersion(db, TENANT_ADDON);
      if (version !== data.targetVersion)
        throw new BridgeError(
          'update_failed',
          `the tenant reports ${TENANT_ADDON} ${version ?? 'not installed'} after the update, not ${data.targetVersion}`,
        );
      await this.route(instance, serving);
      const seconds = ((this.now() - started) / 1000).toFixed(1);
      return {
        outcome: 'done',
        message: `updated ${data.modules.join(', ')} from ${before ?? '?'} to ${version} in ${seconds} s (backup ${snapshot} first)`,
        version,
      };
    } catch (err) {
      const reason = errorMessage(err);
      deps.logger.warn({ instance: instance.id, err: reason }, 'update failed: rolling back');
      return this.rollBack(instance, db, plan, password, snapshot, reason);
    }
  }

  /** the backup is restored and the tenant started on it; the line says why it failed */
  private async rollBack(
    instance: InstanceRecord,
    db: string,
    plan: PlanRecord,
    password: string,
    snapshot: string,
    reason: string,
  ): Promise<UpdateReport> {
    const { deps } = this;
    try {
      await this.removeTenantContainer(instance);
      await deps.backups.restoreSnapshot(instance.id, snapshot);
      const serving = await this.serve(instance, db, plan, password);
      await this.route(instance, serving);
    } catch (err) {
      const message = `update failed: ${reason}; the rollback to backup ${snapshot} failed too: ${errorMessage(err)}`;
      await deps.odoo.updateInstance(instance.id, { state: 'error', last_error: message });
      return { outcome: 'failed', message, version: undefined };
    }
    const version = await deps.versions.moduleVersion(db, TENANT_ADDON);
    return {
      outcome: 'failed',
      message: `update failed: ${reason}; rolled back to backup ${snapshot}, serving ${TENANT_ADDON} ${version ?? '?'}`,
      version,
    };
  }

  /** the tenant stops serving; its container goes (it holds the role's old password) */
  private async stop(instance: InstanceRecord, db: string, plan: PlanRecord, password: string) {
    await this.removeTenantContainer(instance);
    await this.deps.db.ensureRole(
      db,
      password,
      this.deps.identity.marker(instance.id),
      tenantSizing(plan).connectionLimit,
    );
  }

  private async removeTenantContainer(instance: InstanceRecord): Promise<void> {
    const name = this.deps.identity.namesOf(instance).container;
    if (!(await this.deps.docker.findContainer(name))) return;
    await this.deps.docker.stopContainer(name);
    await this.deps.docker.removeContainer(name);
  }

  /**
   * `odoo -u <modules> --stop-after-init` as the tenant's role, with the tenant image, Odoo tree
   * and addons a new tenant container gets, so the modules are updated from the code it runs.
   */
  private async upgradeModules(
    instance: InstanceRecord,
    db: string,
    plan: PlanRecord,
    password: string,
    modules: string[],
  ): Promise<void> {
    const { deps } = this;
    const spec = odooContainerSpec(deps.runtime, {
      name: `saas-update-${instance.tenantRef}`,
      db,
      dbUser: db,
      dbPassword: password,
      dataDir: deps.dataDirOf(db),
      labels: { 'saas.update': db },
      memoryMb: Math.max(plan.memoryMb, 512),
      cpus: plan.cpuLimit,
      odooArgs: ['-u', modules.join(','), '--stop-after-init', '--no-http'],
      restart: 'no',
    });
    const { exitCode, logs } = await deps.docker.runToCompletion(spec, deps.updateTimeoutMs);
    if (exitCode !== 0 || flagged(logs).length > 0)
      throw new BridgeError(
        'update_failed',
        `odoo -u ${modules.join(',')} failed (exit ${exitCode}): ${failureLines(logs).join(' | ')}`,
      );
  }

  /** a new tenant container with the role's new password, started and answering /web/login */
  private async serve(
    instance: InstanceRecord,
    db: string,
    plan: PlanRecord,
    password: string,
  ): Promise<Serving> {
    const { deps } = this;
    const name = deps.identity.namesOf(instance).container;
    if (!(await deps.docker.findContainer(name)))
      await deps.docker.createContainer(
        tenantContainerSpec(deps.runtime, {
          name,
          db,
          password,
          dataDir: deps.dataDirOf(db),
          labels: deps.identity.containerLabels(instance, plan),
          plan,
        }),
      );
    const running = await deps.docker.startContainer(name);
    if (!running.ip) throw new BridgeError('docker_failed', `container ${name} has no address`);
    const directUrl = `http://${running.ip}:${ODOO_HTTP_PORT}`;
    await deps.tenant.waitReady(directUrl, deps.readyTimeoutMs);
    return { directUrl };
  }

  /** same host as before; the new container may have another address */
  private async route(instance: InstanceRecord, serving: Serving): Promise<void> {
    const { deps } = this;
    // the subdomain and each verified custom domain follow the new container's address
    await routeInstanceHosts(
      deps,
      deps.identity.namesOf(instance).host,
      instance,
      serving.directUrl.replace(/^http:\/\//, ''),
    );
    await deps.odoo.updateInstance(instance.id, { direct_url: serving.directUrl });
  }
}

function refused(why: string): UpdateReport {
  return { outcome: 'failed', message: `not updated: ${why}`, version: undefined };
}

/** Odoo's log lines of level ERROR or CRITICAL */
function flagged(logs: string): string[] {
  return outputLines(logs).filter((line) => / (ERROR|CRITICAL) /.test(line));
}

/**
 * Why a `-u` failed, in a line or three: its last ERROR/CRITICAL lines and the exception that
 * ended its traceback (a raising migration logs "Failed to initialize database", then the error).
 */
export function failureLines(logs: string): string[] {
  const lines = outputLines(logs);
  const exception = lines.filter((line) => /^[A-Za-z_][\w.]*(Error|Exception)\b/.test(line)).at(-1);
  const why = [...flagged(logs).slice(-2), ...(exception ? [exception] : [])];
  return why.length > 0 ? why : lines.slice(-3);
}

function outputLines(logs: string): string[] {
  // the one-off runs with a TTY: its lines end in \r\n
  return logs
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter(Boolean);
}

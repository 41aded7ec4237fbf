import { BridgeError, errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { DatabasePort } from '../ports/database.port.js';
import type { ContainerInfo, DockerPort } from '../ports/docker.port.js';
import type { FilestorePort } from '../ports/filestore.port.js';
import type { InstanceRecord, OdooPort, PlanRecord } from '../ports/odoo.port.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import type { TenantPort } from '../ports/tenant.port.js';
import {
  publicUrl,
  subdomainProblem,
  tenantContainerName,
  tenantDbName,
  tenantHost,
} from './naming.js';
import { escapeHtml, strongPassword } from './secrets.js';
import type { TemplateService } from './template.service.js';
import { ODOO_HTTP_PORT, odooContainerSpec, type TenantRuntime } from './tenant-runtime.js';

/** The admin credentials of a fresh `-i base` database, valid in a clone until set-up replaces them. */
const TEMPLATE_ADMIN = { login: 'admin', password: 'admin' };

export interface ProvisioningDeps {
  odoo: OdooPort;
  tenant: TenantPort;
  db: DatabasePort;
  docker: DockerPort;
  filestore: FilestorePort;
  proxy: ProxyPort;
  templates: TemplateService;
  runtime: TenantRuntime;
  logger: Logger;
  publicUrl: { baseDomain: string; scheme: 'http' | 'https'; port: number | undefined };
  readyTimeoutMs: number;
  /** queues the welcome mail once the tenant is usable */
  onRunning(instanceId: number, subdomain: string): Promise<void>;
}

export type ProvisionOutcome = 'running' | 'already-running' | 'skipped';

const instanceMarker = (id: number) => `saas:instance:${id}`;

/**
 * From a draft instance to a running, reachable, configured tenant. Every step looks before it acts,
 * so a retried or resumed job converges on the same single tenant.
 */
export class ProvisioningService {
  constructor(private readonly deps: ProvisioningDeps) {}

  async provision(instanceId: number): Promise<ProvisionOutcome> {
    const { odoo, docker, logger } = this.deps;
    const started = Date.now();
    const instance = await this.load(instanceId);
    const log = logger.child({ instance: instanceId, subdomain: instance.subdomain });
    if (['suspended', 'terminating', 'terminated'].includes(instance.state)) {
      log.info({ state: instance.state }, 'not provisioning: instance is %s', instance.state);
      return 'skipped';
    }
    const problem = subdomainProblem(instance.subdomain);
    if (problem) throw new BridgeError('subdomain_taken', problem, true);
    const names = this.namesOf(instance);
    const existing = await docker.findContainer(names.container);
    this.assertOwnContainer(existing, instanceId, instance.subdomain);
    if (instance.state === 'running' && existing?.status === 'running') {
      // only a retry right after provisioning may still owe the welcome mail; an admin's retry weeks
      // later must not mail the customer again (the job id that deduplicates is kept for 7 days)
      if (justProvisioned(instance.provisionedAt)) {
        await this.deps.onRunning(instanceId, instance.subdomain);
      }
      return 'already-running';
    }

    const took = stepTimer();
    if (instance.state !== 'provisioning') {
      await odoo.updateInstance(instanceId, { state: 'provisioning', last_error: false });
    }
    const plan = await odoo.getPlan(instance.planId);
    took('odoo');
    const template = await this.deps.templates.ensure(plan);
    took('template');
    await this.ensureDatabase(instance, names.db, template, existing);
    took('database');
    const container = await this.ensureContainer(instance, plan, names, existing);
    took('container');
    const directUrl = `http://${container.ip}:${ODOO_HTTP_PORT}`;
    await this.deps.tenant.waitReady(directUrl, this.deps.readyTimeoutMs);
    took('ready');
    const login = await this.ensureTenantSetup(instance, plan, names.db, directUrl);
    took('setup');
    await this.deps.proxy.routeToUpstream(names.host, `${container.ip}:${ODOO_HTTP_PORT}`);
    took('route');
    const url = publicUrl(names.host, this.deps.publicUrl.scheme, this.deps.publicUrl.port);
    const seconds = (Date.now() - started) / 1000;
    await odoo.updateInstance(instanceId, {
      state: 'running',
      url,
      direct_url: directUrl,
      db_name: names.db,
      container_ref: names.container,
      admin_login: login,
      last_error: false,
      ...(instance.provisionedAt ? {} : { provisioned_at: odooDatetime(new Date()) }),
    });
    await odoo.postNote(
      instanceId,
      `Instance running at <a href="${escapeHtml(url)}">${escapeHtml(url)}</a> ` +
        `(plan ${escapeHtml(plan.name)}, database ${names.db}, ready in ${seconds.toFixed(1)} s).`,
    );
    // queued once Odoo has the URL the mail shows; a crash before this line is healed by the
    // 'already-running' path below (a second add is a no-op: jobId welcome-<id>)
    if (!instance.provisionedAt) await this.deps.onRunning(instanceId, instance.subdomain);
    // milliseconds per step, to see where the seconds go
    log.info({ seconds, url, stepsMs: took('odoo-report') }, 'instance running');
    return 'running';
  }

  /** After the last retry: the instance shows the error, and what this instance half-created goes. */
  async fail(instanceId: number, err: unknown): Promise<void> {
    const { odoo, logger } = this.deps;
    const reason = errorMessage(err);
    const instance = await odoo.getInstance(instanceId).catch(() => undefined);
    if (instance && !instance.provisionedAt && !subdomainProblem(instance.subdomain)) {
      await this.cleanUp(instance).catch((cleanupErr: unknown) =>
        logger.error(
          { instance: instanceId, err: cleanupErr },
          'clean-up after failed provisioning failed',
        ),
      );
    }
    await odoo.updateInstance(instanceId, { state: 'error', last_error: reason.slice(0, 2000) });
    await odoo.postNote(instanceId, `Provisioning failed: ${escapeHtml(reason)}`);
  }

  private async load(instanceId: number): Promise<InstanceRecord> {
    const instance = await this.deps.odoo.getInstance(instanceId);
    if (!instance) {
      throw new BridgeError(
        'instance_not_found',
        `instance ${instanceId} does not exist in the master`,
        true,
      );
    }
    return instance;
  }

  private namesOf(instance: InstanceRecord) {
    return {
      db: tenantDbName(instance.subdomain),
      container: tenantContainerName(instance.subdomain),
      host: tenantHost(instance.subdomain, this.deps.publicUrl.baseDomain),
    };
  }

  private assertOwnContainer(
    container: ContainerInfo | undefined,
    instanceId: number,
    subdomain: string,
  ): void {
    if (container && container.labels['saas.instance'] !== String(instanceId)) {
      throw new BridgeError(
        'subdomain_taken',
        `subdomain "${subdomain}" is already used by another instance`,
        true,
      );
    }
  }

  private async ensureDatabase(
    instance: InstanceRecord,
    db: string,
    template: string,
    container: ContainerInfo | undefined,
  ): Promise<void> {
    const { db: pg, docker, filestore, logger } = this.deps;
    const instanceId = instance.id;
    const marker = await pg.databaseMarker(db);
    if (marker === instanceMarker(instanceId)) return;
    if (marker?.startsWith('saas:instance:')) {
      throw new BridgeError('subdomain_taken', `database ${db} belongs to another instance`, true);
    }
    if (instance.provisionedAt) {
      // never hand a customer who had data an empty clone: their database must be restored
      throw new BridgeError(
        'database_failed',
        `database ${db} of a provisioned instance is missing; restore it from a backup`,
        true,
      );
    }
    // no marker: absent, or a clone interrupted half-way; this instance never ran on it
    if (container) await docker.removeContainer(container.name);
    await pg.dropDatabase(db);
    await pg.ensureRole(db, strongPassword(32));
    const started = Date.now();
    await pg.cloneDatabase(db, template, db, this.deps.templates.templateUser);
    await pg.resetOdooIdentity(db);
    await filestore.cloneFrom(template, db);
    await pg.setDatabaseMarker(db, instanceMarker(instanceId));
    logger.info(
      { instance: instanceId, db, template, ms: Date.now() - started },
      'database cloned',
    );
  }

  private async ensureContainer(
    instance: InstanceRecord,
    plan: PlanRecord,
    names: { db: string; container: string; host: string },
    existing: ContainerInfo | undefined,
  ): Promise<ContainerInfo> {
    const { docker, db } = this.deps;
    let present = existing && (await docker.findContainer(names.container));
    if (!present) {
      // the role's password is set whenever its container is made, so it never needs storing
      const password = strongPassword(32);
      await db.ensureRole(names.db, password);
      const workers =
        plan.workers > 0
          ? [`--workers=${plan.workers}`, '--max-cron-threads=1']
          : ['--max-cron-threads=1'];
      present = await docker.createContainer(
        odooContainerSpec(this.deps.runtime, {
          name: names.container,
          db: names.db,
          dbUser: names.db,
          dbPassword: password,
          dataDir: this.deps.filestore.dataDirOf(names.db),
          labels: {
            'saas.instance': String(instance.id),
            'saas.plan': plan.code,
            'saas.subdomain': instance.subdomain,
          },
          memoryMb: plan.memoryMb,
          cpus: plan.cpuLimit,
          odooArgs: ['--proxy-mode', `--http-port=${ODOO_HTTP_PORT}`, ...workers],
          restart: 'unless-stopped',
        }),
      );
    }
    const running =
      present.status === 'running' ? present : await docker.startContainer(names.container);
    if (!running.ip)
      throw new BridgeError('docker_failed', `container ${names.container} has no address`);
    return running;
  }

  /** Company, limits and the customer's admin login; returns the login. Skipped when done before. */
  private async ensureTenantSetup(
    instance: InstanceRecord,
    plan: PlanRecord,
    db: string,
    baseUrl: string,
  ): Promise<string> {
    const { odoo, tenant } = this.deps;
    const login = instance.adminLogin ?? instance.partnerEmail ?? 'admin';
    let password = instance.initialPassword;
    if (!password) {
      if (instance.provisionedAt) return login; // set up long ago; the customer owns the password now
      // kept in Odoo before the tenant gets it, so a crash in between cannot lose it
      password = strongPassword();
      await odoo.updateInstance(instance.id, { admin_login: login, initial_password: password });
    }
    // tried straight away: each login probe costs the tenant a password hash check (~0.3 s)
    const configured = await tenant.configure(baseUrl, db, TEMPLATE_ADMIN, {
      companyName: instance.companyName ?? instance.partnerName,
      companyEmail: instance.partnerEmail,
      lang: instance.lang,
      adminLogin: login,
      adminPassword: password,
      limits: {
        planCode: plan.code,
        maxUsers: plan.maxUsers,
        storageMb: plan.storageMb,
        expirationDate: instance.expirationDate,
      },
    });
    if (
      !configured &&
      !(await tenant.canLogin(baseUrl, db, login, password)) &&
      !instance.provisionedAt
    ) {
      throw new BridgeError(
        'internal',
        `tenant ${db} accepts neither the template's nor the customer's credentials`,
      );
    }
    return login;
  }

  private async cleanUp(instance: InstanceRecord): Promise<void> {
    const { db: pg, docker, filestore, proxy } = this.deps;
    const names = this.namesOf(instance);
    const container = await docker.findContainer(names.container);
    if (container?.labels['saas.instance'] === String(instance.id))
      await docker.removeContainer(names.container);
    const marker = await pg.databaseMarker(names.db);
    if (marker === instanceMarker(instance.id) || (marker === undefined && !container)) {
      await proxy.removeRoute(names.host).catch(() => undefined);
      await pg.dropDatabase(names.db);
      await pg.dropRole(names.db);
      await filestore.remove(names.db);
    }
  }
}

const WELCOME_GRACE_MS = 60 * 60_000;

/** took(step) records the ms since the previous call under `step` and returns all so far */
function stepTimer(): (step: string) => Record<string, number> {
  const steps: Record<string, number> = {};
  let last = Date.now();
  return (step) => {
    const now = Date.now();
    steps[step] = (steps[step] ?? 0) + now - last;
    last = now;
    return steps;
  };
}

function justProvisioned(provisionedAt: string | undefined): boolean {
  if (!provisionedAt) return false;
  const at = Date.parse(`${provisionedAt.replace(' ', 'T')}Z`);
  return Number.isFinite(at) && Date.now() - at < WELCOME_GRACE_MS;
}

/** Odoo's datetime format, UTC */
export function odooDatetime(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 19);
}

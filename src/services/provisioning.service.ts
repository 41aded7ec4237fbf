import { BridgeError, errorMessage, isOutage } from '../errors.js';
import type { ContainerInfo } from '../ports/docker.port.js';
import type { InstanceRecord, PlanRecord } from '../ports/odoo.port.js';
import { loadInstance } from './instance-loader.js';
import { subdomainProblem } from './naming.js';
import { cleanUpFailed } from './provisioning/clean-up.js';
import { ensureContainer } from './provisioning/container.step.js';
import type { ProvisionContext, ProvisioningDeps } from './provisioning/context.js';
import { ensureDatabase, type DatabaseSource } from './provisioning/database.step.js';
import { reportRunning } from './provisioning/report.step.js';
import { ensureRoute } from './provisioning/route.step.js';
import { adoptTakenSpare, takeSpare } from './provisioning/spare.step.js';
import { ensureTenantSetup } from './provisioning/tenant-setup.step.js';
import { escapeHtml, strongPassword } from './secrets.js';
import { tenantLocaleOf } from './tenant-locale.js';

export type { ProvisioningDeps } from './provisioning/context.js';
export { odooDatetime } from './provisioning/report.step.js';

export type ProvisionOutcome = 'running' | 'already-running' | 'skipped' | 'waiting';

/**
 * From a draft instance to a running, reachable, configured tenant, in steps (provisioning/*.step.ts)
 * that each look before they act, so a retried or resumed job converges on the same single tenant.
 * The master is read three times (instance, plan, the plans that name other apps' plan in the
 * tenant's limits) and written twice: once when the run starts (state, and
 * the customer's password before the tenant gets it) and once with the result.
 */
export class ProvisioningService {
  constructor(private readonly deps: ProvisioningDeps) {}

  async provision(instanceId: number): Promise<ProvisionOutcome> {
    const { odoo, docker, identity, logger } = this.deps;
    const started = Date.now();
    let instance = await loadInstance(odoo, instanceId);
    const log = logger.child({ instance: instanceId, subdomain: instance.subdomain });
    if (['suspended', 'terminating', 'terminated'].includes(instance.state)) {
      log.info({ state: instance.state }, 'not provisioning: instance is %s', instance.state);
      return 'skipped';
    }
    const problem = subdomainProblem(instance.subdomain);
    if (problem) throw new BridgeError('subdomain_taken', problem, true);
    let names = identity.namesOf(instance);
    // looked up once: the steps below keep what they learn about it in the context
    let container = await docker.findContainer(names.container);
    this.assertOwnContainer(container, instance);
    if (instance.state === 'running' && container?.status === 'running') {
      // only a retry right after provisioning may still owe the welcome mail; an admin's retry weeks
      // later must not mail the customer again (the job id that deduplicates is kept for 7 days)
      if (justProvisioned(instance.provisionedAt)) {
        await this.deps.onRunning(instanceId, instance.subdomain);
      }
      return 'already-running';
    }

    const took = stepTimer();
    const plan = await odoo.getPlan(instance.planId);
    await adoptTakenSpare(this.deps, instance);
    // a warm spare already counts against the host's room: taking it needs none
    const spare = await takeSpare(this.deps, { instance, plan, container, log });
    if (spare) {
      ({ instance, names, container } = spare);
      took('spare');
    }
    // a tenant about to take memory and connections (none runs yet) must fit on the host first
    else if (container?.status !== 'running' && (await this.waitsForCapacity(instance, plan, log)))
      return 'waiting';
    const adminLogin = instance.adminLogin ?? instance.partnerEmail ?? 'admin';
    const initialPassword = await this.markProvisioning(instance, adminLogin);
    took('odoo');
    const ctx: ProvisionContext = { instance, plan, names, container, initialPassword, log };
    // a spare's database is the instance's already (adopted)
    if (!spare) {
      const source = await this.sourceOf(instance, plan);
      took('template');
      await ensureDatabase(this.deps, ctx, source);
      took('database');
    }
    const tenant = await ensureContainer(this.deps, ctx);
    took('container');
    await ensureTenantSetup(this.deps, ctx, tenant, adminLogin);
    took('setup');
    await ensureRoute(this.deps, ctx, tenant);
    took('route');
    const seconds = (Date.now() - started) / 1000;
    const url = await reportRunning(this.deps, ctx, tenant, adminLogin, seconds);
    // milliseconds per step, to see where the seconds go
    log.info({ seconds, url, stepsMs: took('odoo-report') }, 'instance running');
    return 'running';
  }

  /** a copy starts from another instance's backup, not from the plan's template */
  private async sourceOf(instance: InstanceRecord, plan: PlanRecord): Promise<DatabaseSource> {
    if (instance.copyOfBackupId) return { kind: 'copy', backupId: instance.copyOfBackupId };
    if (this.deps.databaseSource === 'fresh') return { kind: 'fresh' };
    // the template of the owner's language and country (their accounting comes with it)
    return {
      kind: 'template',
      template: await this.deps.templates.ensure(plan, tenantLocaleOf(instance)),
    };
  }

  /**
   * When the host lacks room for this tenant: the instance waits, visibly and with the reason
   * (state waiting_capacity; the master tells its admins), and the capacity job queues it again
   * once there is room. Answers whether it waits.
   */
  private async waitsForCapacity(
    instance: InstanceRecord,
    plan: PlanRecord,
    log: ProvisionContext['log'],
  ): Promise<boolean> {
    const { capacity } = this.deps;
    if (!capacity) return false;
    const verdict = await capacity.check(plan);
    if (verdict.fits) return false;
    const reason = verdict.reasons.join('; ');
    log.warn({ reasons: verdict.reasons }, 'waiting for capacity: %s', reason);
    if (instance.state !== 'waiting_capacity')
      await this.deps.odoo.updateInstance(instance.id, {
        state: 'waiting_capacity',
        capacity_reason: reason.slice(0, 2000),
        last_error: false,
      });
    return true;
  }

  /** A failed attempt that will be retried: the instance says so, not a silent "provisioning". */
  async noteRetry(instanceId: number, err: unknown, attempt: number): Promise<void> {
    await this.deps.odoo
      .updateInstance(instanceId, {
        last_error: `attempt ${attempt} failed, retrying: ${errorMessage(err)}`.slice(0, 2000),
      })
      .catch(() => undefined);
  }

  /** After the last retry: the instance shows the error, and what this instance half-created goes. */
  async fail(instanceId: number, err: unknown): Promise<void> {
    const { odoo, logger } = this.deps;
    const reason = errorMessage(err);
    const instance = await odoo.getInstance(instanceId).catch(() => undefined);
    // an outage says nothing against the tenant made so far: it stays for the admin's retry
    const cleanUp = !isOutage(err) && !subdomainProblem(instance?.subdomain ?? '');
    if (instance && !instance.provisionedAt && cleanUp) {
      await cleanUpFailed(this.deps, instance).catch((cleanupErr: unknown) =>
        logger.error(
          { instance: instanceId, err: cleanupErr },
          'clean-up after failed provisioning failed',
        ),
      );
    }
    await odoo.updateInstance(
      instanceId,
      { state: 'error', last_error: reason.slice(0, 2000) },
      `Provisioning failed: ${escapeHtml(reason)}`,
    );
  }

  /**
   * One write at the start: the state, and for a first provisioning the customer's login and password,
   * kept in Odoo before the tenant gets them so a crash in between cannot lose them. Returns the
   * password the tenant set-up applies (none once provisioned: the customer owns it then).
   */
  private async markProvisioning(
    instance: InstanceRecord,
    adminLogin: string,
  ): Promise<string | undefined> {
    const needsPassword = !instance.provisionedAt && !instance.initialPassword;
    const password = needsPassword ? strongPassword() : instance.initialPassword;
    if (instance.state !== 'provisioning' || needsPassword) {
      await this.deps.odoo.updateInstance(instance.id, {
        state: 'provisioning',
        last_error: false,
        ...(needsPassword ? { admin_login: adminLogin, initial_password: password } : {}),
      });
    }
    return instance.provisionedAt ? undefined : password;
  }

  private assertOwnContainer(container: ContainerInfo | undefined, instance: InstanceRecord): void {
    if (container && !this.deps.identity.ownsContainer(container, instance)) {
      throw new BridgeError(
        'subdomain_taken',
        `container ${container.name} belongs to another instance or another master`,
        true,
      );
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

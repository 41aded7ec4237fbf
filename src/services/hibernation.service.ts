import { BridgeError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { ActivityPort } from '../ports/activity.port.js';
import type { CronSchedulePort } from '../ports/cron.port.js';
import type { DockerPort } from '../ports/docker.port.js';
import type { InstanceRecord, OdooPort } from '../ports/odoo.port.js';
import type { ProxyPort } from '../ports/proxy.port.js';
import type { TenantPort } from '../ports/tenant.port.js';
import { idleMsOf, idleVerdict } from './idle-decision.js';
import { instanceHosts, routeInstanceHosts } from './instance-hosts.js';
import { loadInstance } from './instance-loader.js';
import { odooDatetime } from './provisioning/report.step.js';
import type { TenantIdentity } from './tenant-identity.js';
import type { TenantLimitsService } from './tenant-limits.js';
import { ODOO_HTTP_PORT } from './tenant-runtime.js';

/** a sleeping tenant wakes for its scheduled actions no more often than this... */
export const CRON_WAKE_MIN_SLEEP_MS = 6 * 3_600_000;
/** ...and at least this often, due or not */
export const CRON_WAKE_AT_LEAST_EVERY_MS = 24 * 3_600_000;

export interface HibernationDeps {
  odoo: OdooPort;
  docker: Pick<DockerPort, 'startContainer' | 'stopContainer'>;
  proxy: ProxyPort;
  tenant: Pick<TenantPort, 'waitReady'>;
  /** the plan's limits, written into the tenant's database as it wakes */
  limits: Pick<TenantLimitsService, 'reapply'>;
  activity: ActivityPort;
  /** absent: sleeping tenants are woken for nothing but visitors */
  cron?: CronSchedulePort;
  identity: TenantIdentity;
  logger: Logger;
  /** the bridge as the proxy reaches it (host:port): where a sleeping tenant's requests go */
  wakeUpstream: string;
  readyTimeoutMs: number;
  now?: () => Date;
}

/**
 * Hibernation (docs/hibernation.md): a running tenant without a visitor for its plan's idle time is
 * stopped and its hosts lead to the wake handler; the first request starts it again. Sleeping is a
 * flag on the instance (`sleeping`), never a state: for the subscription it keeps running.
 */
export class HibernationService {
  constructor(private readonly deps: HibernationDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Running, awake instances whose tenant had no visitor for their plan's idle time. */
  async idleInstances(): Promise<number[]> {
    const { odoo, activity, identity, logger } = this.deps;
    const [instances, plans] = await Promise.all([odoo.listInstances(), odoo.listPlans()]);
    const idleMs = new Map(plans.map((p) => [p.id, idleMsOf(p)]));
    const now = this.now();
    const idle: number[] = [];
    for (const instance of instances) {
      const ms = idleMs.get(instance.planId) ?? 0;
      if (!awake(instance) || ms <= 0) continue;
      try {
        const seen = await activity.activity(
          identity.namesOf(instance).container,
          new Date(now.getTime() - ms),
        );
        if (seen && idleVerdict(ms, seen, now).sleep) idle.push(instance.id);
      } catch (err) {
        logger.warn({ instance: instance.id, err }, 'activity unreadable; next scan asks again');
      }
    }
    return idle;
  }

  /**
   * Sleeping tenants whose scheduled actions should run now: the earliest one is due and the tenant
   * has slept CRON_WAKE_MIN_SLEEP_MS (a tenant with a cron every few minutes still sleeps), or it has
   * slept a whole day (its daily crons run at least daily). The wake puts it back to sleep after its
   * plan's idle time, by the same scan.
   */
  async dueCronWakes(): Promise<number[]> {
    const { odoo, cron, identity, logger } = this.deps;
    if (!cron) return [];
    const now = this.now().getTime();
    const due: number[] = [];
    for (const instance of await odoo.listInstances()) {
      if (instance.state !== 'running' || !instance.sleeping || !instance.sleepingSince) continue;
      const slept = now - Date.parse(`${instance.sleepingSince.replace(' ', 'T')}Z`);
      if (!(slept >= CRON_WAKE_MIN_SLEEP_MS)) continue;
      try {
        const next = await cron.nextCronAt(instance.dbName ?? identity.namesOf(instance).db);
        if (slept >= CRON_WAKE_AT_LEAST_EVERY_MS || (next && next.getTime() <= now))
          due.push(instance.id);
      } catch (err) {
        logger.warn({ instance: instance.id, err }, 'scheduled actions unreadable; next scan asks');
      }
    }
    return due;
  }

  /**
   * Clears the flag of instances marked sleeping whose tenant has been running for longer than a
   * wake takes: something else started it (a rolling update, an admin by hand), and no visitor
   * would ever wake it again, since its hosts lead to Odoo. A wake in progress started only now.
   */
  async clearStaleFlags(): Promise<number[]> {
    const { odoo, activity, identity } = this.deps;
    const now = this.now();
    const cleared: number[] = [];
    for (const instance of await odoo.listInstances()) {
      if (instance.state !== 'running' || !instance.sleeping) continue;
      const seen = await activity.activity(identity.namesOf(instance).container, now);
      if (!seen?.startedAt) continue;
      if (now.getTime() - seen.startedAt.getTime() <= this.deps.readyTimeoutMs) continue;
      await odoo.updateInstance(instance.id, { sleeping: false, sleeping_since: false });
      cleared.push(instance.id);
    }
    return cleared;
  }

  /**
   * Puts one tenant to sleep, if it is still idle: its hosts to the wake handler first (a request from
   * now on wakes it, after this job: they share the instance's lock), then the container stopped, then
   * the flag. Run again after a failure, it goes on where it stopped.
   */
  async sleep(instanceId: number): Promise<string> {
    const instance = await loadInstance(this.deps.odoo, instanceId);
    if (instance.state !== 'running') return `not put to sleep: instance is ${instance.state}`;
    if (instance.sleeping) return 'already sleeping';
    const plan = await this.deps.odoo.getPlan(instance.planId);
    const ms = idleMsOf(plan);
    const names = this.deps.identity.namesOf(instance);
    const now = this.now();
    const seen = await this.deps.activity.activity(
      names.container,
      new Date(now.getTime() - Math.max(ms, 1)),
    );
    if (!seen) return 'not put to sleep: no container';
    // a container stopped already is the previous attempt's: finish its route and flag
    if (seen.startedAt) {
      const verdict = idleVerdict(ms, seen, now);
      if (!verdict.sleep) return `not put to sleep: ${verdict.reason}`;
    }
    await this.routeAsleep(instance);
    await this.deps.docker.stopContainer(names.container);
    await this.deps.odoo.updateInstance(instanceId, {
      sleeping: true,
      sleeping_since: odooDatetime(now),
    });
    return 'sleeping';
  }

  /**
   * Wakes a sleeping tenant: container started, its login page answering, hosts back to it, flag
   * cleared. Only a sleeping, running instance: a suspended one stays behind its suspended page.
   */
  async wake(instanceId: number): Promise<string> {
    const instance = await loadInstance(this.deps.odoo, instanceId);
    if (instance.state !== 'running') return `not woken: instance is ${instance.state}`;
    if (!instance.sleeping) return 'not sleeping';
    const started = Date.now();
    const names = this.deps.identity.namesOf(instance);
    // the limits go into the database beside the start (a few ms against Odoo's seconds of boot, and
    // Odoo reads them on request, not at start): a plan changed, or a key forced by hand, while the
    // tenant slept is undone before its first visitor. A master that cannot list its plans just now
    // must not keep the visitor waiting: the reconciler's next pass writes them then.
    const [container] = await Promise.all([
      this.deps.docker.startContainer(names.container),
      this.deps.limits.reapply([instance]).catch((err: unknown) => {
        this.deps.logger.warn({ instance: instanceId, err }, 'limits not re-applied at wake');
        return [];
      }),
    ]);
    if (!container.ip)
      throw new BridgeError('docker_failed', `container ${names.container} has no address`);
    const upstream = `${container.ip}:${ODOO_HTTP_PORT}`;
    const directUrl = `http://${upstream}`;
    await this.deps.tenant.waitReady(directUrl, this.deps.readyTimeoutMs);
    await routeInstanceHosts(this.deps, names.host, instance, upstream);
    await this.deps.odoo.updateInstance(instanceId, {
      sleeping: false,
      sleeping_since: false,
      direct_url: directUrl,
    });
    this.deps.logger.info(
      { instance: instanceId, wakeMs: Date.now() - started },
      'sleeping tenant woken',
    );
    return 'awake';
  }

  /** Every host of a sleeping instance to the wake handler (also the reconciler's, after a proxy restart). */
  async routeAsleep(instance: InstanceRecord): Promise<void> {
    const { identity, proxy } = this.deps;
    for (const host of instanceHosts(identity.namesOf(instance).host, instance))
      await proxy.routeToWakeHandler(
        host,
        this.deps.wakeUpstream,
        instance.id,
        identity.routeLabels(instance),
      );
  }
}

/** running, provisioned and not asleep: the only instances that may fall asleep */
function awake(instance: InstanceRecord): boolean {
  return instance.state === 'running' && !instance.sleeping && Boolean(instance.provisionedAt);
}

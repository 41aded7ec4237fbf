import type { Logger } from '../observability/logger.js';
import type { MailPort } from '../ports/mail.port.js';
import type { OdooPort } from '../ports/odoo.port.js';
import type { CapacityService, Resource, ResourceUse } from './capacity.service.js';
import { escapeHtml } from './secrets.js';

export interface CapacityWatchDeps {
  capacity: CapacityService;
  odoo: OdooPort;
  mailer: MailPort;
  logger: Logger;
  /** who hears of a resource above the alert share; none: the log and /metrics only */
  alertTo: string | undefined;
  /** queues the provisioning of an instance that waited and now fits */
  requestProvision(instanceId: number): Promise<void>;
  /** /metrics: what is used and available of each resource */
  record(use: Record<Resource, ResourceUse>, alerts: Set<Resource>, waiting: number): void;
}

export interface CapacityReport {
  waiting: number;
  resumed: number[];
  alerts: Resource[];
}

/**
 * The periodic capacity pass: publishes the host's headroom, alerts once each time a resource
 * passes the alert share, and lets instances that wait for capacity go, oldest first, as far as
 * the room goes (each one counted before the next is judged).
 */
export class CapacityWatchService {
  /** resources above the alert share at the last pass: a mail goes out when one joins */
  private readonly alerting = new Set<Resource>();

  constructor(private readonly deps: CapacityWatchDeps) {}

  async pass(): Promise<CapacityReport> {
    const { capacity, odoo, logger } = this.deps;
    const use = await capacity.use();
    const over = capacity.overAlert(use);
    const fresh = over.filter((o) => !this.alerting.has(o.resource));
    this.alerting.clear();
    for (const o of over) this.alerting.add(o.resource);
    for (const o of over)
      logger.warn(
        { resource: o.resource, percent: o.percent },
        'capacity: %s at %d %%',
        o.resource,
        o.percent,
      );
    if (fresh.length > 0) await this.mailAlert(fresh, use);

    const instances = await odoo.listInstances();
    const waiting = instances
      .filter((i) => i.state === 'waiting_capacity')
      .sort((a, b) => a.id - b.id);
    this.deps.record(use, this.alerting, waiting.length);
    const resumed: number[] = [];
    if (waiting.length > 0) {
      const plans = new Map((await odoo.listPlans()).map((p) => [p.id, p]));
      // what this pass already let go, not running yet: the next one is judged against the rest
      const taken: Partial<Record<Resource, number>> = { memory: 0, cpu: 0, connections: 0 };
      for (const instance of waiting) {
        const plan = plans.get(instance.planId);
        if (!plan) continue;
        const verdict = await capacity.check(plan, taken);
        if (!verdict.fits) break; // the oldest waits first: a small plan does not overtake it
        await this.deps.requestProvision(instance.id);
        resumed.push(instance.id);
        for (const [resource, amount] of Object.entries(capacity.needOf(plan)))
          taken[resource as Resource] = (taken[resource as Resource] ?? 0) + amount;
      }
      if (resumed.length > 0)
        logger.info(
          { resumed, waiting: waiting.length },
          'capacity: room for %d waiting instance(s)',
          resumed.length,
        );
    }
    return { waiting: waiting.length, resumed, alerts: [...this.alerting] };
  }

  private async mailAlert(
    fresh: { resource: Resource; percent: number }[],
    use: Record<Resource, ResourceUse>,
  ): Promise<void> {
    const { alertTo, mailer, logger } = this.deps;
    if (!alertTo) return;
    const lines = fresh.map(
      ({ resource, percent }) =>
        `${resource}: ${percent} % (${use[resource].used} of ${use[resource].capacity} ${use[resource].unit})`,
    );
    const text =
      `The SaaS host is above its alert share for: ${lines.join('; ')}.\n` +
      'New instances wait for capacity when a resource is full; free room (or add a host) before then.';
    await mailer
      .send({
        to: alertTo,
        subject: `SaaS host capacity: ${fresh.map((f) => `${f.resource} ${f.percent} %`).join(', ')}`,
        text,
        html: `<p>${escapeHtml(text).replace(/\n/g, '<br/>')}</p>`,
      })
      .catch((err: unknown) => logger.error({ err }, 'capacity alert mail failed'));
  }
}

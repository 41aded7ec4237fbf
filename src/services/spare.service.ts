import { randomInt } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import type { DatabasePort } from '../ports/database.port.js';
import type { ContainerInfo, DockerPort } from '../ports/docker.port.js';
import type { FilestorePort } from '../ports/filestore.port.js';
import type { LockPort } from '../ports/lock.port.js';
import type { InstanceRecord, PlanRecord } from '../ports/odoo.port.js';
import type { TenantPort } from '../ports/tenant.port.js';
import type { CapacityService } from './capacity.service.js';
import { tenantContainerName, tenantDbName } from './naming.js';
import { tenantContainerSpec, tenantOdooConfig } from './provisioning/container.step.js';
import type { ClaimedSpare, SpareHandover } from './provisioning/context.js';
import { cloneTemplateInto, removeTenantData } from './provisioning/database.step.js';
import { strongPassword } from './secrets.js';
import type { TemplateService } from './template.service.js';
import { SPARE_TEMPLATE_LABEL, TENANT_LABEL, type TenantIdentity } from './tenant-identity.js';
import { MANAGED_LABEL, ODOO_HTTP_PORT, type TenantRuntime } from './tenant-runtime.js';
import { tenantSizing } from './tenant-sizing.js';
import { sparesWanted, type WarmSparesSetting } from './warm-spares.js';

export interface SpareDeps {
  db: DatabasePort;
  docker: DockerPort;
  filestore: FilestorePort;
  tenant: Pick<TenantPort, 'waitReady'>;
  locks: LockPort;
  templates: Pick<TemplateService, 'ensure' | 'nameOf' | 'templateUser'>;
  identity: TenantIdentity;
  runtime: TenantRuntime;
  logger: Logger;
  readyTimeoutMs: number;
  setting: WarmSparesSetting;
  /** a spare takes the room of a tenant: none is made when the host is short (none: always fits) */
  capacity?: Pick<CapacityService, 'check'>;
}

export interface ReplenishReport {
  made: string[];
  removed: string[];
  /** plans whose spares could not all be made (the host is short) */
  short: string[];
}

// long enough for the slowest hand-over; the marker rewrite ends the spare's life as a spare anyway
const CLAIM_TTL_S = 3600;
const REF_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const REF_LENGTH = 10;

/**
 * Warm spares (README, Warm spares): per plan a few tenants cloned from the plan's template and
 * booted, under a ref of their own and assigned to nobody, so an order only has to set up the
 * company and admin and route the host. A spare's database and role carry `saas:spare:<ref>` until
 * an instance takes it (the marker becomes that instance's); its container keeps its labels.
 */
export class SpareService implements SpareHandover {
  constructor(private readonly deps: SpareDeps) {}

  /**
   * A ready spare of this plan cloned from `template`, claimed for the instance (one claim per
   * spare: a lock held for an hour); none when there is none. The caller hands it over or releases it.
   */
  async claim(
    plan: PlanRecord,
    template: string,
    instance: Pick<InstanceRecord, 'id'>,
  ): Promise<ClaimedSpare | undefined> {
    const { locks, db, identity } = this.deps;
    for (const spare of await this.free(plan)) {
      if (spare.labels[SPARE_TEMPLATE_LABEL] !== template || spare.status !== 'running') continue;
      const ref = spare.labels[TENANT_LABEL]!;
      if (!(await locks.lock(claimKey(ref), claimer(instance), CLAIM_TTL_S))) continue;
      // taken and handed over by another bridge while we listed
      if ((await db.databaseMarker(tenantDbName(ref))) === identity.spareMarker(ref))
        return { ref, container: spare };
      await locks.unlock(claimKey(ref), claimer(instance));
    }
    return undefined;
  }

  async release(ref: string, instance: Pick<InstanceRecord, 'id'>): Promise<void> {
    await this.deps.locks.unlock(claimKey(ref), claimer(instance));
  }

  /** whether the database under the instance's names is still marked as the spare it took */
  async isUnadopted(instance: Pick<InstanceRecord, 'tenantRef'>): Promise<boolean> {
    const marker = await this.deps.db.databaseMarker(tenantDbName(instance.tenantRef));
    return marker === this.deps.identity.spareMarker(instance.tenantRef);
  }

  /** the spare becomes the instance's: its database and role carry the instance's marker */
  async adopt(instance: Pick<InstanceRecord, 'id' | 'tenantRef'>): Promise<void> {
    const { db, identity } = this.deps;
    const name = tenantDbName(instance.tenantRef);
    await db.setRoleComment(name, identity.marker(instance.id));
    await db.setDatabaseMarker(name, identity.marker(instance.id));
  }

  /**
   * Each plan back to its number of ready spares: outdated ones (their template is not the plan's
   * current one) and extra ones removed, missing ones made, each only while the host has room.
   */
  async replenish(
    plans: PlanRecord[],
    /** the master's tenant refs: a spare an instance holds is never removed, whatever its marker */
    takenRefs: ReadonlySet<string> = new Set(),
  ): Promise<ReplenishReport> {
    const report: ReplenishReport = { made: [], removed: [], short: [] };
    const wanted = sparesWanted(plans, this.deps.setting);
    for (const plan of plans) {
      const want = wanted.get(plan.code) ?? 0;
      const current = this.deps.templates.nameOf(plan);
      let kept = 0;
      const { free, halfMade } = await this.sparesOf(plan, takenRefs);
      for (const spare of free) {
        if (spare.labels[SPARE_TEMPLATE_LABEL] === current && kept < want) kept += 1;
        else if (await this.removeSpare(spare)) report.removed.push(spare.name);
      }
      for (const spare of halfMade)
        if (await this.removeSpare(spare)) report.removed.push(spare.name);
      for (; kept < want; kept += 1) {
        if (this.deps.capacity && !(await this.deps.capacity.check(plan)).fits) {
          report.short.push(plan.code);
          break;
        }
        report.made.push(await this.make(plan));
      }
    }
    if (report.made.length + report.removed.length + report.short.length > 0)
      this.deps.logger.info(report, 'warm spares replenished');
    return report;
  }

  /** our spares of the plan that no instance has taken (their database still has the spare marker) */
  private async free(plan: PlanRecord): Promise<ContainerInfo[]> {
    return (await this.sparesOf(plan)).free;
  }

  /**
   * our spares of the plan nobody took: free (booted, the spare marker) and half-made (no marker:
   * being made, or left by a crash)
   */
  private async sparesOf(
    plan: PlanRecord,
    takenRefs: ReadonlySet<string> = new Set(),
  ): Promise<{ free: ContainerInfo[]; halfMade: ContainerInfo[] }> {
    const { docker, db, identity } = this.deps;
    const spares = (await docker.listContainers(MANAGED_LABEL)).filter(
      (c) =>
        identity.isSpare(c) &&
        c.labels['saas.plan'] === plan.code &&
        c.labels[TENANT_LABEL] &&
        !takenRefs.has(c.labels[TENANT_LABEL]),
    );
    const free: ContainerInfo[] = [];
    const halfMade: ContainerInfo[] = [];
    for (const spare of spares) {
      const ref = spare.labels[TENANT_LABEL]!;
      const marker = await db.databaseMarker(tenantDbName(ref));
      if (marker === identity.spareMarker(ref)) free.push(spare);
      else if (marker === undefined) halfMade.push(spare);
    }
    return { free, halfMade };
  }

  /** a new spare, ready: cloned, container made and answering, and marked last */
  private async make(plan: PlanRecord): Promise<string> {
    const { templates } = this.deps;
    const started = Date.now();
    const ref = newSpareRef();
    const container = tenantContainerName(ref);
    const template = await templates.ensure(plan);
    // held while it is made: a sweep of half-made spares (another bridge's) leaves this one alone
    await this.deps.locks.lock(claimKey(ref), REPLENISHER, MAKE_LOCK_TTL_S);
    try {
      await this.build(plan, ref, template);
    } catch (err) {
      // a spare that never booted is not kept: the next pass makes another
      await this.discard(ref).catch(() => undefined);
      throw err;
    } finally {
      await this.deps.locks.unlock(claimKey(ref), REPLENISHER);
    }
    this.deps.logger.info(
      { spare: container, plan: plan.code, ms: Date.now() - started },
      'warm spare ready',
    );
    return container;
  }

  private async build(plan: PlanRecord, ref: string, template: string): Promise<void> {
    const { db, docker, filestore, identity } = this.deps;
    const name = tenantDbName(ref);
    const container = tenantContainerName(ref);
    const access = identity.bridgeAccess(ref);
    const password = strongPassword(32);
    // the role's comment names the spare at once: a crash before the end leaves nothing unnamed
    await db.ensureRole(
      name,
      password,
      identity.spareMarker(ref),
      tenantSizing(plan).connectionLimit,
    );
    await cloneTemplateInto(this.deps, name, template, await access);
    // no host yet, so no default From: the tenant set-up gives the taker its mail domain
    await filestore.writeOdooConfig(name, await tenantOdooConfig());
    const spec = tenantContainerSpec(this.deps.runtime, {
      name: container,
      db: name,
      password,
      dataDir: filestore.dataDirOf(name),
      labels: identity.spareLabels(ref, plan, template),
      plan,
    });
    const made = await docker.createContainer(spec);
    const running = made.status === 'running' ? made : await docker.startContainer(container);
    await this.deps.tenant.waitReady(
      `http://${running.ip}:${ODOO_HTTP_PORT}`,
      this.deps.readyTimeoutMs,
    );
    await db.setDatabaseMarker(name, identity.spareMarker(ref));
  }

  private async discard(ref: string): Promise<void> {
    const { docker } = this.deps;
    if (await docker.findContainer(tenantContainerName(ref)))
      await docker.removeContainer(tenantContainerName(ref));
    await removeTenantData(this.deps, tenantDbName(ref));
  }

  /**
   * A spare nobody took (or one left half-made: no database marker) removed under its claim lock;
   * a claim or a making in flight keeps it.
   */
  private async removeSpare(spare: ContainerInfo): Promise<boolean> {
    const { db, identity, locks } = this.deps;
    const ref = spare.labels[TENANT_LABEL]!;
    if (!(await locks.lock(claimKey(ref), REPLENISHER, 60))) return false;
    try {
      const marker = await db.databaseMarker(tenantDbName(ref));
      if (marker !== undefined && marker !== identity.spareMarker(ref)) return false;
      await this.discard(ref);
      return true;
    } finally {
      await locks.unlock(claimKey(ref), REPLENISHER);
    }
  }
}

const REPLENISHER = 'spare-replenisher';
// a boot on a loaded host takes minutes at worst (TENANT_READY_TIMEOUT_MS is 90 s by default)
const MAKE_LOCK_TTL_S = 900;

function claimKey(ref: string): string {
  return `spare:${ref}`;
}

function claimer(instance: Pick<InstanceRecord, 'id'>): string {
  return `instance-${instance.id}`;
}

/** like the master's refs ('t' + 10 base32), so the master accepts it as the taker's tenant_ref */
export function newSpareRef(): string {
  let ref = 't';
  for (let i = 0; i < REF_LENGTH; i += 1) ref += REF_ALPHABET[randomInt(REF_ALPHABET.length)];
  return ref;
}

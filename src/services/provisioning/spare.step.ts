import { errorMessage } from '../../errors.js';
import type { ContainerInfo } from '../../ports/docker.port.js';
import type { InstanceRecord } from '../../ports/odoo.port.js';
import type { TenantNames } from '../tenant-identity.js';
import { tenantLocaleOf } from '../tenant-locale.js';
import { NOTIFICATIONS_LOCAL_PART, tenantOdooConfig } from './container.step.js';
import type { ProvisionContext, ProvisioningDeps } from './context.js';

/** the instance under the names of the spare it took, and the spare's container */
export interface TakenSpare {
  instance: InstanceRecord;
  names: TenantNames;
  container: ContainerInfo;
}

/**
 * A warm spare for an instance that never ran and has no tenant yet: claimed, its ref given to the
 * instance in the master (its names become the spare's), and adopted (the database and role get
 * the instance's marker). The steps after it find a cloned database and a booted container. Any
 * failure before the master took the ref falls back to the template path; after it, the instance's
 * retry finds the spare under its names and adopts it (adoptTakenSpare).
 */
export async function takeSpare(
  deps: ProvisioningDeps,
  ctx: Pick<ProvisionContext, 'instance' | 'plan' | 'container' | 'log'>,
): Promise<TakenSpare | undefined> {
  const { spares, templates, identity } = deps;
  const { instance, plan, log } = ctx;
  if (!spares || !mayTakeSpare(deps, instance, ctx.container)) return undefined;
  // a retry of a template-path run that already cloned its own database goes on with that one
  if ((await deps.db.databaseMarker(identity.namesOf(instance).db)) !== undefined) return undefined;
  const spare = await spares
    .claim(plan, templates.nameOf(plan, tenantLocaleOf(instance)), instance)
    .catch((err: unknown) => {
      log.warn({ err: errorMessage(err) }, 'no warm spare (claim failed); cloning the template');
      return undefined;
    });
  if (!spare) return undefined;
  if (!(await handOver(deps, ctx, spare.ref))) return undefined;
  const taker = { ...instance, tenantRef: spare.ref };
  await spares.adopt(taker);
  const names = identity.namesOf(taker);
  // the default From of the taker's host, read at the container's next start (a spare had no host)
  await deps.filestore.writeOdooConfig(
    names.db,
    await tenantOdooConfig({ emailFrom: `${NOTIFICATIONS_LOCAL_PART}@${names.host}` }),
  );
  log.info({ spare: spare.container.name }, 'warm spare taken');
  await deps.onSpareTaken?.(plan);
  return { instance: taker, names, container: spare.container };
}

/**
 * A retry after a crash between the master's write and the adoption: the instance has the spare's
 * ref, its database still the spare's marker.
 */
export async function adoptTakenSpare(
  deps: ProvisioningDeps,
  instance: InstanceRecord,
): Promise<void> {
  if (!deps.spares || instance.provisionedAt) return;
  if (await deps.spares.isUnadopted(instance)) await deps.spares.adopt(instance);
}

/**
 * The master gives the instance the spare's ref. When its answer is lost the instance is read
 * again: a write that went through is a handover all the same (the steps must follow the names the
 * master now holds); a refused one releases the spare; not knowing fails the run (its retry sees).
 */
async function handOver(
  deps: ProvisioningDeps,
  ctx: Pick<ProvisionContext, 'instance' | 'log'>,
  ref: string,
): Promise<boolean> {
  const { odoo, spares } = deps;
  const { instance, log } = ctx;
  try {
    await odoo.updateInstance(instance.id, { tenant_ref: ref });
    return true;
  } catch (err) {
    const now = await odoo.getInstance(instance.id).catch(() => undefined);
    if (!now) throw err;
    if (now.tenantRef === ref) return true;
    await spares?.release(ref, instance).catch(() => undefined);
    log.warn(
      { spare: ref, err: errorMessage(err) },
      'warm spare not handed over; cloning the template',
    );
    return false;
  }
}

function mayTakeSpare(
  deps: ProvisioningDeps,
  instance: InstanceRecord,
  container: ContainerInfo | undefined,
): boolean {
  // a copy brings another instance's data, the naive path measures a fresh install
  return (
    !container &&
    !instance.provisionedAt &&
    !instance.copyOfBackupId &&
    deps.databaseSource !== 'fresh'
  );
}

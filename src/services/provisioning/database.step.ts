import { BridgeError } from '../../errors.js';
import type { BridgeAccess } from '../../ports/database.port.js';
import { strongPassword } from '../secrets.js';
import { tenantSizing } from '../tenant-sizing.js';
import type { ProvisionContext, ProvisioningDeps } from './context.js';
import { seedFromBackup } from './copy.step.js';
import { tenantLocaleOf } from '../tenant-locale.js';

/** where a new tenant database comes from: a clone of the plan's template, or (naive path) a fresh install */
export type DatabaseSource =
  | { kind: 'template'; template: string }
  | { kind: 'fresh' }
  /** a copy of another instance, restored from the backup its record names */
  | { kind: 'copy'; backupId: number };

/**
 * The tenant's database, role and data dir, cloned from the plan's template (a copy of another
 * instance: restored from the backup its record names, with no template). Done when the database
 * carries this instance's marker (set last); anything else under the name without a marker is a clone
 * interrupted half-way, which this instance never ran on, and is made again.
 */
export async function ensureDatabase(
  deps: ProvisioningDeps,
  ctx: ProvisionContext,
  source: DatabaseSource,
): Promise<void> {
  const { db: pg, docker, identity } = deps;
  const { instance, names } = ctx;
  const db = names.db;
  const verdict = identity.judgeMarker(await pg.databaseMarker(db), instance.id);
  if (verdict === 'ours') return;
  if (verdict === 'ours-unowned') {
    // made before owners existed: claimed for this master, so listings by owner find it
    await pg.setDatabaseMarker(db, identity.marker(instance.id));
    return;
  }
  if (verdict === 'taken') {
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
  if (ctx.container) {
    await docker.removeContainer(ctx.container.name);
    ctx.container = undefined;
  }
  try {
    await makeDatabase(deps, ctx, source);
  } catch (err) {
    // nothing half-made stays between attempts (a disk full mid-copy, a failed install): what this
    // attempt made under the names goes, and the next one starts afresh
    await removeTenantData(deps, db).catch((undoErr: unknown) =>
      ctx.log.warn({ db, err: undoErr }, 'removing a half-made database failed'),
    );
    throw err;
  }
}

/** made under names no instance ran on yet: drop and make again is always safe */
async function makeDatabase(
  deps: ProvisioningDeps,
  ctx: ProvisionContext,
  source: DatabaseSource,
): Promise<void> {
  const { db: pg, filestore, identity } = deps;
  const { instance, names } = ctx;
  const db = names.db;
  if (source.kind === 'copy') {
    await seedFromBackup(deps, ctx, source.backupId);
    return;
  }
  const started = Date.now();
  // the bridge's key is hashed while PostgreSQL drops and creates (both take a few tens of ms)
  const access = identity.bridgeAccess(instance.tenantRef);
  await pg.dropDatabase(db);
  const rolePassword = strongPassword(32);
  await pg.ensureRole(
    db,
    rolePassword,
    identity.marker(instance.id),
    tenantSizing(ctx.plan).connectionLimit,
  );
  if (source.kind === 'template') {
    await cloneTemplateInto(deps, db, source.template, await access);
  } else {
    await filestore.remove(db);
    await pg.createEmptyDatabase(db, db);
    await deps.templates.installInto(
      ctx.plan,
      db,
      db,
      rolePassword,
      {
        container: `saas-install-${names.container}`,
        // not a tenant's labels: the reconciler must not take a one-off install for the tenant
        labels: { 'saas.install': db },
      },
      tenantLocaleOf(instance),
    );
    await pg.resetOdooIdentity(db, await access);
  }
  await pg.setDatabaseMarker(db, identity.marker(instance.id));
  const ms = Date.now() - started;
  if (source.kind === 'template')
    ctx.log.info({ db, template: source.template, ms }, 'database cloned');
  else ctx.log.info({ db, ms }, 'database installed fresh (TENANT_DB_SOURCE=fresh)');
}

/**
 * A template's database and filestore copied under `db` (its role made already), with the
 * template's bridge key replaced by this tenant's: what a provisioning and a warm spare both clone.
 */
export async function cloneTemplateInto(
  deps: Pick<ProvisioningDeps, 'db' | 'filestore'> & {
    templates: Pick<ProvisioningDeps['templates'], 'templateUser'>;
  },
  db: string,
  template: string,
  access: BridgeAccess,
): Promise<void> {
  await deps.db.cloneDatabase(db, template, db, deps.templates.templateUser);
  await deps.db.resetOdooIdentity(db, access);
  await deps.filestore.cloneFrom(template, db);
}

/** a tenant's database, role and data dir gone (a failed attempt's, or a warm spare's) */
export async function removeTenantData(
  deps: Pick<ProvisioningDeps, 'db' | 'filestore'>,
  db: string,
): Promise<void> {
  await deps.db.dropDatabase(db);
  await deps.db.dropRole(db);
  await deps.filestore.remove(db);
}

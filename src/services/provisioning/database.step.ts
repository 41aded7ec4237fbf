import { BridgeError } from '../../errors.js';
import { strongPassword } from '../secrets.js';
import type { ProvisionContext, ProvisioningDeps } from './context.js';
import { seedFromBackup } from './copy.step.js';

/**
 * The tenant's database, role and data dir, cloned from the plan's template (a copy of another
 * instance: restored from the backup its record names, with no template). Done when the database
 * carries this instance's marker (set last); anything else under the name without a marker is a clone
 * interrupted half-way, which this instance never ran on, and is made again.
 */
export async function ensureDatabase(
  deps: ProvisioningDeps,
  ctx: ProvisionContext,
  template: string | undefined,
): Promise<void> {
  const { db: pg, docker, filestore, identity } = deps;
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
  if (instance.copyOfBackupId) {
    await seedFromBackup(deps, ctx, instance.copyOfBackupId);
    return;
  }
  if (!template) throw new BridgeError('internal', `no template to clone ${db} from`);
  const started = Date.now();
  // the bridge's key is hashed while PostgreSQL drops and creates (both take a few tens of ms)
  const access = identity.bridgeAccess(instance.tenantRef);
  await pg.dropDatabase(db);
  await pg.ensureRole(db, strongPassword(32), identity.marker(instance.id));
  await pg.cloneDatabase(db, template, db, deps.templates.templateUser);
  await pg.resetOdooIdentity(db, await access);
  await filestore.cloneFrom(template, db);
  await pg.setDatabaseMarker(db, identity.marker(instance.id));
  ctx.log.info({ db, template, ms: Date.now() - started }, 'database cloned');
}

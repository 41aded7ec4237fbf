import { tenantSizing } from '../tenant-sizing.js';
import path from 'node:path';
import { BridgeError } from '../../errors.js';
import { strongPassword } from '../secrets.js';
import { odooContainerSpec } from '../tenant-runtime.js';
import type { ProvisionContext, ProvisioningDeps } from './context.js';

const NEUTRALIZE_TIMEOUT_MS = 5 * 60_000;

/**
 * A copy's database and filestore (a copy for testing): restored from a backup of another
 * instance instead of cloned from the plan's template, under this instance's own names (database,
 * role, data dir from its tenant ref), given its own identity (uuid, secret, the bridge's key),
 * and neutralized, so the copy sends no mail and runs no cron of the original.
 */
export async function seedFromBackup(
  deps: ProvisioningDeps,
  ctx: ProvisionContext,
  backupRecordId: number,
): Promise<void> {
  const { db: pg, filestore, identity } = deps;
  const { instance, names } = ctx;
  if (!deps.copies)
    throw new BridgeError(
      'backups_not_configured',
      'no backups here to copy an instance from',
      true,
    );
  const db = names.db;
  const started = Date.now();
  const access = identity.bridgeAccess(instance.tenantRef);
  const rolePassword = strongPassword(32);
  await pg.dropDatabase(db);
  await pg.ensureRole(
    db,
    rolePassword,
    identity.marker(instance.id),
    tenantSizing(ctx.plan).connectionLimit,
  );
  await filestore.remove(db);
  await filestore.ensureEmpty(db);
  const source = await deps.copies.restoreCopy(backupRecordId, {
    database: db,
    owner: db,
    filestoreDir: path.join(filestore.dataDirOf(db), 'filestore', db),
  });
  await pg.resetOdooIdentity(db, await access);
  await neutralize(deps, ctx, rolePassword);
  await pg.setDatabaseMarker(db, identity.marker(instance.id));
  ctx.log.info(
    { db, from: source.sourceInstanceId, snapshot: source.snapshotId, ms: Date.now() - started },
    'database restored from a backup and neutralized',
  );
}

/**
 * Odoo's own neutralization (`odoo neutralize`: every installed module's data/neutralize.sql:
 * mail servers off and a dead one in front, crons off, webhooks and push keys gone), run by the
 * tenant image's Odoo in a one-off container as the tenant's role: the same Odoo and modules as
 * the copy, so no module's neutralization is missed or applied from another version.
 */
async function neutralize(deps: ProvisioningDeps, ctx: ProvisionContext, rolePassword: string) {
  const { names } = ctx;
  const spec = odooContainerSpec(deps.runtime, {
    name: `saas-neutralize-${ctx.instance.tenantRef}`,
    db: names.db,
    dbUser: names.db,
    dbPassword: rolePassword,
    dataDir: deps.filestore.dataDirOf(names.db),
    labels: { 'saas.neutralize': names.db },
    memoryMb: Math.max(ctx.plan.memoryMb, 512),
    cpus: ctx.plan.cpuLimit,
    odooArgs: [],
    restart: 'no',
  });
  // `odoo neutralize <server options>`: the subcommand goes right after the program
  spec.cmd = [spec.cmd[0]!, 'neutralize', ...spec.cmd.slice(1)];
  const { exitCode, logs } = await deps.docker.runToCompletion(spec, NEUTRALIZE_TIMEOUT_MS);
  if (exitCode !== 0 || !/Neutralization finished/.test(logs))
    throw new BridgeError(
      'database_failed',
      `neutralization of ${names.db} failed (exit ${exitCode}): ${logs.trim().split('\n').slice(-3).join(' | ')}`,
    );
}

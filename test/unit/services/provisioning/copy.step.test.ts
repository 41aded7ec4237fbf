import { describe, expect, it } from 'vitest';
import type { BackupCopyPort, CopyTarget } from '../../../../src/ports/backup.port.js';
import { ProvisioningService } from '../../../../src/services/provisioning.service.js';
import { buildWorld, draftInstance, namesOf, STARTER_PLAN } from '../../../support/world.js';

const COPY = namesOf(2);

/** restores "the backup" by making the target database, as the real restore (psql) does */
function copiesInto(world: ReturnType<typeof buildWorld>) {
  const asked: { backupRecordId: number; target: CopyTarget }[] = [];
  const port: BackupCopyPort = {
    restoreCopy: async (backupRecordId, target) => {
      asked.push({ backupRecordId, target });
      await world.db.createEmptyDatabase(target.database, target.owner);
      world.db.get(target.database).data.partner = 'Made before the backup';
      return { sourceInstanceId: 1, snapshotId: '8ba6de72' };
    },
  };
  return { asked, port };
}

function copyWorld(neutralizeLogs = 'INFO odoo.modules.neutralize: Neutralization finished') {
  const world = buildWorld();
  world.odoo.addInstance(draftInstance({ id: 1, subdomain: 'acme', state: 'running' }));
  world.odoo.addInstance(
    draftInstance({ id: 2, subdomain: 'acme-test', state: 'draft', copyOfBackupId: 7 }),
  );
  world.docker.runResult = { exitCode: 0, logs: neutralizeLogs };
  const copies = copiesInto(world);
  const provisioning = new ProvisioningService({ ...world.provisioningDeps, copies: copies.port });
  return { world, provisioning, copies };
}

describe('provisioning a copy of an instance (copyOfBackupId)', () => {
  it('restores the backup into its own database, neutralizes it, then runs it like any tenant', async () => {
    const { world, provisioning, copies } = copyWorld();
    expect(await provisioning.provision(2)).toBe('running');
    expect(copies.asked).toEqual([
      {
        backupRecordId: 7,
        target: {
          database: COPY.db,
          owner: COPY.db,
          filestoreDir: `${world.filestore.dataDirOf(COPY.db)}/filestore/${COPY.db}`,
        },
      },
    ]);
    // no template: a copy starts from the backup, not from the plan
    expect(world.db.clonesOf(world.templates.nameOf(STARTER_PLAN))).toEqual([]);
    expect(await world.db.listDatabases('tmpl_')).toEqual([]);
    const copy = world.db.get(COPY.db);
    expect(copy.owner).toBe(COPY.db);
    expect(copy.data.partner).toBe('Made before the backup');
    expect(copy.marker).toBe(world.identity.marker(2));
    // its own bridge key (the backup holds the source's)
    expect(copy.data.bridgeKeyHash).toBeTruthy();
    const [neutralize] = world.docker.runs;
    expect(neutralize?.cmd.slice(0, 3)).toEqual(['odoo', 'neutralize', `--database=${COPY.db}`]);
    expect(neutralize?.env).toContain(`PGUSER=${COPY.db}`);
    expect(neutralize?.restart).toBe('no');
    expect(world.docker.containers.get(COPY.container)?.status).toBe('running');
    expect(world.odoo.statesOf(2)).toEqual(['provisioning', 'running']);
  });

  it('fails (and keeps no database marked done) when the neutralization did not finish', async () => {
    const { world, provisioning } = copyWorld('CRITICAL THE DATABASE IS NOT NEUTRALIZED!');
    await expect(provisioning.provision(2)).rejects.toMatchObject({ code: 'database_failed' });
    expect(await world.db.databaseMarker(COPY.db)).toBeUndefined();
    expect(world.docker.containers.has(COPY.container)).toBe(false);
  });

  it('refuses for good where no backups are wired', async () => {
    const world = buildWorld();
    world.odoo.addInstance(draftInstance({ id: 2, subdomain: 'acme-test', copyOfBackupId: 7 }));
    await expect(world.provisioning.provision(2)).rejects.toMatchObject({
      code: 'backups_not_configured',
      permanent: true,
    });
  });
});

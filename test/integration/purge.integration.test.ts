import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerAdapter } from '../../src/adapters/docker.adapter.js';
import { FilestoreAdapter } from '../../src/adapters/filestore.adapter.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import type { FinalBackupPort, FinalBackupTarget } from '../../src/ports/backup.port.js';
import { LifecycleService } from '../../src/services/lifecycle.service.js';
import { tenantDbName } from '../../src/services/naming.js';
import { unavailable } from '../support/integration/availability.js';
import { pgAdminUrl, sqlAs } from '../support/integration/pg-admin.js';
import { docker as dockerCli } from '../support/integration/run.js';
import { ensureTestImage, TEST_IMAGE } from '../support/integration/test-image.js';
import { buildWorld, draftInstance, namesOf } from '../support/world.js';

const SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
const docker = new DockerAdapter(SOCKET);
let adminUrl = '';
const skip = await unavailable('PostgreSQL and Docker', async () => {
  adminUrl = await pgAdminUrl();
  const probe = new PostgresAdapter(adminUrl);
  await probe.ping().finally(() => probe.close());
  await docker.ping();
});

const run = randomBytes(3).toString('hex');
const SUBDOMAIN = `it-purge-${run}`;
const DB = tenantDbName(SUBDOMAIN);
// named from instance 1's tenant ref, as the lifecycle names it
const CONTAINER = namesOf(1).container;
const NETWORK = `it-saas-purge-${run}`;
const PASSWORD = `p-${randomBytes(9).toString('hex')}`;

/** reads the tenant through its own role, as the backups' service would, and keeps what it saw */
class ReadingFinalBackup implements FinalBackupPort {
  readonly seen: string[] = [];
  async finalBackup(target: FinalBackupTarget): Promise<{ snapshotId: string }> {
    const rows = await sqlAs<{ name: string }>(
      adminUrl,
      DB,
      PASSWORD,
      target.db,
      'SELECT name FROM note',
    );
    this.seen.push(...rows.map((r) => r.name));
    return { snapshotId: `it-${run}` };
  }
}

let db: PostgresAdapter;
let root: string;
let filestore: FilestoreAdapter;

describe.skipIf(skip)('the purge against real PostgreSQL and Docker', () => {
  beforeAll(async () => {
    await ensureTestImage();
    db = new PostgresAdapter(adminUrl);
    root = await mkdtemp(path.join(tmpdir(), 'saas-it-purge-'));
    filestore = new FilestoreAdapter(root, process.getuid?.() ?? 0);
    // a tenant as provisioning leaves it: role, database with data, filestore, container
    await db.ensureRole(DB, PASSWORD);
    await db.createEmptyDatabase(DB, DB);
    await sqlAs(
      adminUrl,
      DB,
      PASSWORD,
      DB,
      "CREATE TABLE note (name text); INSERT INTO note VALUES ('kept')",
    );
    await filestore.ensureEmpty(DB);
    const blob = path.join(filestore.dataDirOf(DB), 'filestore', DB, 'ab');
    await mkdir(blob, { recursive: true });
    await writeFile(path.join(blob, 'abcdef'), 'attachment');
    await docker.ensureNetwork(NETWORK, '172.31.251.0/24');
    await docker.createContainer({
      name: CONTAINER,
      image: TEST_IMAGE,
      cmd: ['sh', '-c', 'trap "exit 0" TERM; httpd -f -p 8069 -h /www & wait'],
      labels: { 'saas.managed': 'true', 'it.run': run },
      memoryMb: 64,
      cpus: 0.5,
      binds: [],
      network: NETWORK,
      restart: 'no',
    });
    await docker.startContainer(CONTAINER);
  }, 120_000);

  afterAll(async () => {
    await docker.removeContainer(CONTAINER).catch(() => undefined);
    await dockerCli('network', 'rm', NETWORK).catch(() => undefined);
    await db?.dropDatabase(DB).catch(() => undefined);
    await db?.dropRole(DB).catch(() => undefined);
    await db?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('backs up, then deletes database, role, container and filestore; the instance is purged', async () => {
    const world = buildWorld();
    world.odoo.addInstance(
      draftInstance({
        subdomain: SUBDOMAIN,
        state: 'suspended',
        dbName: DB,
        provisionedAt: '2026-01-01 00:00:00',
      }),
    );
    const backup = new ReadingFinalBackup();
    const lifecycle = new LifecycleService({
      odoo: world.odoo,
      docker,
      proxy: world.proxy,
      tenant: world.tenant,
      db,
      filestore,
      finalBackup: backup,
      provisioning: world.provisioning,
      queueMail: async (data, eventId) => void world.stateMails.push({ key: eventId, ...data }),
      logger: pino({ level: 'silent' }),
      identity: world.identity,
      limits: world.limits,
      planApps: world.planApps,
      renewUrl: () => 'https://master.example.com/renew',
      readyTimeoutMs: 5_000,
    });

    expect(await lifecycle.terminate(1, { eventId: 'purge-it', purge: true })).toBe('purged');

    expect(backup.seen).toEqual(['kept']);
    expect(await db.databaseExists(DB)).toBe(false);
    const roles = await sqlAs(
      adminUrl,
      ...adminParts(),
      `SELECT 1 FROM pg_roles WHERE rolname = '${DB}'`,
    );
    expect(roles).toEqual([]);
    expect(await docker.findContainer(CONTAINER)).toBeUndefined();
    expect(await filestore.exists(DB)).toBe(false);
    expect(world.odoo.instance(1).state).toBe('terminated');
    expect(world.odoo.instance(1).purgedAt).toBeDefined();
    expect(world.stateMails.map((m) => m.kind)).toEqual(['deleted']);
    // run again (a resent event): nothing left to do, no error
    expect(await lifecycle.terminate(1, { eventId: 'purge-it', purge: true })).toBe(
      'already purged',
    );
  }, 60_000);
});

/** user, password and database of the admin URL, for sqlAs */
function adminParts(): [string, string, string] {
  const url = new URL(adminUrl);
  return [decodeURIComponent(url.username), decodeURIComponent(url.password), 'postgres'];
}

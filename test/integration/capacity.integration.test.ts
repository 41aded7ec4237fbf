/**
 * Capacity against the real PostgreSQL and Docker engine: a server limited below what a new tenant
 * needs makes the instance wait with the reason, and it proceeds once connections are freed
 * (docs/capacity.md). The master's side (state, chatter, mail) is saas_master's Odoo test.
 */
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerAdapter } from '../../src/adapters/docker.adapter.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { CapacityService, type CapacitySettings } from '../../src/services/capacity.service.js';
import { CapacityWatchService } from '../../src/services/capacity-watch.service.js';
import { FakeMail } from '../support/fakes/fake-mail.js';
import { FakeOdoo } from '../support/fakes/fake-odoo.js';
import { unavailable } from '../support/integration/availability.js';
import { pgAdminUrl } from '../support/integration/pg-admin.js';
import { draftInstance, STARTER_PLAN } from '../support/world.js';

let adminUrl = '';
const dockerAdapter = new DockerAdapter(process.env.DOCKER_SOCKET ?? '/var/run/docker.sock');
const skip = await unavailable('PostgreSQL and Docker', async () => {
  adminUrl = await pgAdminUrl();
  const probe = new PostgresAdapter(adminUrl);
  await probe.ping().finally(() => probe.close());
  await dockerAdapter.ping();
});

const held: pg.Client[] = [];
const db = skip ? undefined : new PostgresAdapter(adminUrl);

afterAll(async () => {
  await Promise.all(held.map((c) => c.end().catch(() => undefined)));
  await db?.close();
});

describe.skipIf(skip)('capacity on the real PostgreSQL and Docker', () => {
  it('reads the real server: max_connections, reserved slots, backends in use', async () => {
    const stats = await db!.connectionStats();
    expect(stats.maxConnections).toBeGreaterThanOrEqual(stats.inUse);
    expect(stats.reserved).toBeGreaterThanOrEqual(0);
    expect(stats.inUse).toBeGreaterThan(0); // this very query's backend
  });

  it('a tenant waits while PostgreSQL is limited below its need, and goes once connections are freed', async () => {
    const odoo = new FakeOdoo();
    odoo.addPlan(STARTER_PLAN);
    odoo.addInstance(draftInstance({ state: 'waiting_capacity' }));
    const before = await db!.connectionStats();
    // PostgreSQL "limited": only 12 slots beyond what is in use now, and a Starter tenant needs 8
    const settings: CapacitySettings = {
      memoryMb: 1_000_000,
      memoryOvercommit: 1,
      cpus: 1,
      cpuOvercommit: 10_000,
      spareConnections: before.maxConnections - before.reserved - before.inUse - 12,
      minFreeDiskMb: 0,
      defaultFootprintMb: 150,
      alertPercent: 100,
    };
    const capacity = new CapacityService({
      db: db!,
      docker: dockerAdapter,
      plans: () => odoo.listPlans(),
      freeDiskMb: async () => 100_000,
      settings,
    });
    const requested: number[] = [];
    const watch = new CapacityWatchService({
      capacity,
      odoo,
      mailer: new FakeMail(),
      logger: pino({ level: 'silent' }),
      alertTo: undefined,
      requestProvision: async (id) => void requested.push(id),
      record: () => undefined,
    });
    for (let i = 0; i < 6; i += 1) {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      held.push(client);
    }
    const verdict = await capacity.check(STARTER_PLAN);
    expect(verdict.fits).toBe(false);
    expect(verdict.reasons[0]).toMatch(
      /^connections: \d+ of \d+ connections planned, a Starter tenant needs 8 more$/,
    );
    expect((await watch.pass()).resumed).toEqual([]);

    await Promise.all(held.splice(0).map((c) => c.end()));
    // the backends are gone a moment after their clients closed
    for (let i = 0; i < 50 && !(await capacity.check(STARTER_PLAN)).fits; i += 1)
      await new Promise((r) => setTimeout(r, 100));
    expect((await watch.pass()).resumed).toEqual([1]);
    expect(requested).toEqual([1]);
  });
});

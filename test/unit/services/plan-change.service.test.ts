import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../../src/ports/odoo.port.js';
import type { PlanChangedMailData } from '../../../src/schemas/job.schema.js';
import { PlanChangeService } from '../../../src/services/plan-change.service.js';
import { UsageService, usageSlotStart } from '../../../src/services/usage.service.js';
import { namesOf, STARTER_PLAN, worldWithInstance } from '../../support/world.js';

const PRO: PlanRecord = {
  ...STARTER_PLAN,
  id: 2,
  code: 'pro',
  name: 'Pro',
  maxUsers: 10,
  storageMb: 51200,
  cpuLimit: 2,
  memoryMb: 4096,
  modules: [...STARTER_PLAN.modules, 'project'],
};

async function provisionedOnPro() {
  const world = await worldWithInstance({}, true);
  world.odoo.addPlan(PRO);
  // the master switched the plan, then sent instance.plan_changed
  world.odoo.instance(1).planId = PRO.id;
  const mails: PlanChangedMailData[] = [];
  const service = new PlanChangeService({
    odoo: world.odoo,
    docker: world.docker,
    db: world.db,
    tenant: world.tenant,
    limits: world.limits,
    proxy: world.proxy,
    identity: world.identity,
    logger: pino({ level: 'silent' }),
    readyTimeoutMs: 1_000,
    installApps: (instance, plan) => world.planApps.install(instance, plan),
    queueMail: async (data) => void mails.push(data),
  });
  return { world, service, mails };
}

describe('PlanChangeService', () => {
  it("gives the container the new plan's memory and CPU and the tenant its limits", async () => {
    const { world, service, mails } = await provisionedOnPro();
    const { db, container } = namesOf(1);
    expect(world.docker.containers.get(container)?.spec.memoryMb).toBe(STARTER_PLAN.memoryMb);
    expect(await service.apply(1, 'ev-1')).toBe('plan applied');
    expect(world.docker.containers.get(container)?.spec).toMatchObject({
      memoryMb: 4096,
      cpus: 2,
    });
    expect(world.db.get(db).data).toMatchObject({
      'saas_tenant.plan_code': 'pro',
      'saas_tenant.max_users': '10',
      'saas_tenant.storage_mb': '51200',
    });
    expect(world.odoo.notes.at(-1)?.body).toMatch(
      /^Plan Pro applied: container updated live to 4096 MB and 2 CPU; limits written .*; apps installed: project\.$/,
    );
    expect(world.tenant.installedModules(db)).toContain('project');
    expect(mails).toEqual([{ instanceId: 1, eventId: 'ev-1', planCode: 'pro' }]);
  });

  it('keeps a suspended tenant stopped', async () => {
    const { world, service } = await provisionedOnPro();
    await world.lifecycle.suspend(1);
    await service.apply(1, 'ev-2');
    const found = world.docker.containers.get(namesOf(1).container);
    expect(found).toMatchObject({ status: 'exited', spec: { memoryMb: 4096 } });
    expect(world.odoo.notes.at(-1)?.body).toMatch(
      /apps \(sale, crm, project\) are installed when the tenant runs again/,
    );
    expect(world.tenant.installedModules(namesOf(1).db)).not.toContain('project');
    // paid again: it comes back with Pro's limits and Pro's app
    expect(await world.lifecycle.reactivate(1)).toBe('running');
    expect(world.tenant.installedModules(namesOf(1).db)).toContain('project');
    expect(world.odoo.notes.at(-1)?.body).toBe('Back on plan Pro: apps installed: project.');
  });

  it('says so, and goes on, when the tenant refuses an app', async () => {
    const { world, service } = await provisionedOnPro();
    // limits that do not list the app yet: saas_tenant refuses it (a permanent fault)
    world.limits.apply = async () => [];
    expect(await service.apply(1, 'ev-4')).toBe('plan applied');
    expect(world.odoo.notes.at(-1)?.body).toMatch(
      /apps NOT installed: project: not in this tenant&#39;s plan/,
    );
  });

  it('does nothing for an instance that is not provisioned yet', async () => {
    const { world, service, mails } = await provisionedOnPro();
    world.odoo.instance(1).state = 'draft';
    expect(await service.apply(1, 'ev-3')).toMatch(/^nothing to apply \(draft\)/);
    expect(mails).toEqual([]);
  });
});

describe('UsageService', () => {
  it('measures users, database and filestore and writes them into the master', async () => {
    const world = await worldWithInstance({}, true);
    world.db.get(namesOf(1).db).data.activeUsers = '3';
    const usage = new UsageService({
      odoo: world.odoo,
      db: world.db,
      filestore: world.filestore,
      identity: world.identity,
    });
    const measured = await usage.measure(1);
    expect(measured).toMatchObject({ users: 3, dbMb: 12 });
    expect(world.odoo.patches.at(-1)?.patch).toEqual({
      usage_users: 3,
      usage_db_mb: 12,
      usage_filestore_mb: measured?.filestoreMb,
    });
    const due = await usage.dueMeasurements(Date.now());
    expect(due.map((d) => d.instanceId)).toEqual([1]);
  });

  it('spreads instances over the hour, each at a fixed slot', () => {
    const now = Date.UTC(2026, 11, 1, 12, 0, 0);
    const slots = Array.from({ length: 50 }, (_, i) => usageSlotStart(i + 1, now));
    for (const slot of slots) {
      expect(slot).toBeLessThanOrEqual(now);
      expect(now - slot).toBeLessThan(3_600_000);
    }
    const minutes = new Set(slots.map((s) => new Date(s).getUTCMinutes()));
    expect(minutes.size).toBeGreaterThan(20);
    // the same slot however often the planner asks within it
    expect(usageSlotStart(7, now)).toBe(usageSlotStart(7, now + 1));
  });
});

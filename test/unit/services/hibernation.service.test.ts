import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { HibernationService } from '../../../src/services/hibernation.service.js';
import { ReconcileService } from '../../../src/services/reconcile.service.js';
import { FakeActivity } from '../../support/fakes/fake-activity.js';
import { BASE_DOMAIN, namesOf, STARTER_PLAN, worldWithInstance } from '../../support/world.js';

const NOW = new Date('2026-12-02T06:00:00Z');
const WAKE = '127.0.0.1:3000';
const HOST = `acme.${BASE_DOMAIN}`;
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

async function setup(idleMinutes = 30, cron?: Map<string, Date>) {
  const world = await worldWithInstance({}, true);
  world.odoo.plans.set(STARTER_PLAN.id, { ...STARTER_PLAN, idleMinutes });
  const activity = new FakeActivity(world.docker);
  const service = new HibernationService({
    odoo: world.odoo,
    docker: world.docker,
    proxy: world.proxy,
    tenant: world.tenant,
    limits: world.limits,
    activity,
    ...(cron ? { cron: { nextCronAt: async (db: string) => cron.get(db) } } : {}),
    identity: world.identity,
    logger: pino({ level: 'silent' }),
    wakeUpstream: WAKE,
    readyTimeoutMs: 1_000,
    now: () => NOW,
  });
  const container = namesOf(1).container;
  activity.startedAt.set(container, ago(240));
  return { world, activity, service, container };
}

describe('hibernation', () => {
  it('finds the running tenants idle for their plan time, and only those', async () => {
    const { world, activity, service, container } = await setup();
    activity.lastRequestAt.set(container, ago(31));
    expect(await service.idleInstances()).toEqual([1]);
    // it asked for the log since the window opened, not all of it
    expect(activity.asked.at(-1)).toEqual({ container, since: ago(30) });

    activity.lastRequestAt.set(container, ago(5));
    expect(await service.idleInstances()).toEqual([]);

    activity.lastRequestAt.set(container, ago(31));
    world.odoo.instance(1).sleeping = true;
    expect(await service.idleInstances()).toEqual([]);
    world.odoo.instance(1).sleeping = false;
    world.odoo.instance(1).state = 'suspended';
    expect(await service.idleInstances()).toEqual([]);
  });

  it('never puts the tenants of a plan without idle time to sleep', async () => {
    const { service, activity, container } = await setup(0);
    activity.lastRequestAt.set(container, ago(600));
    expect(await service.idleInstances()).toEqual([]);
  });

  it('sleeps an idle tenant: hosts to the wake handler, container stopped, flag in the master', async () => {
    const { world, service, container } = await setup();
    expect(await service.sleep(1)).toBe('sleeping');
    expect(world.proxy.routes.get(HOST)).toMatchObject({
      kind: 'wake',
      upstream: WAKE,
      instanceId: 1,
    });
    expect(world.docker.containers.get(container)?.status).toBe('exited');
    expect(world.odoo.patches.at(-1)).toEqual({
      id: 1,
      patch: { sleeping: true, sleeping_since: '2026-12-02 06:00:00' },
    });
    // a sleeping instance is still running for the subscription
    expect(world.odoo.instance(1).state).toBe('running');
    expect(await service.sleep(1)).toBe('already sleeping');
  });

  it('keeps a tenant awake when a visitor came after the scan', async () => {
    const { world, service, activity, container } = await setup();
    activity.lastRequestAt.set(container, ago(1));
    expect(await service.sleep(1)).toBe('not put to sleep: recent request');
    expect(world.docker.containers.get(container)?.status).toBe('running');
    expect(world.proxy.routes.get(HOST)?.kind).toBe('upstream');
  });

  it('wakes a sleeping tenant: started, answering, hosts back to it, flag cleared', async () => {
    const { world, service, container } = await setup();
    await service.sleep(1);
    expect(await service.wake(1)).toBe('awake');
    const started = world.docker.containers.get(container);
    expect(started?.status).toBe('running');
    expect(world.proxy.routes.get(HOST)).toMatchObject({
      kind: 'upstream',
      upstream: `${started?.ip}:8069`,
    });
    expect(world.odoo.instance(1).sleeping).toBe(false);
    expect(world.log.calls.some((c) => c.startsWith('tenant.waitReady'))).toBe(true);
  });

  it('writes the plan limits back as a tenant wakes: a key forced while it slept is undone', async () => {
    const { world, service } = await setup();
    await service.sleep(1);
    const db = namesOf(1).db;
    await world.db.setConfigParameter(db, 'saas_tenant.max_users', '999');
    expect(await service.wake(1)).toBe('awake');
    expect(await world.db.getConfigParameter(db, 'saas_tenant.max_users')).toBe(
      String(STARTER_PLAN.maxUsers),
    );
  });

  it('wakes a tenant even when the master cannot list its plans just then', async () => {
    const { world, service, container } = await setup();
    await service.sleep(1);
    world.odoo.listPlans = async () => {
      throw new Error('master restarting');
    };
    expect(await service.wake(1)).toBe('awake');
    expect(world.docker.containers.get(container)?.status).toBe('running');
  });

  it('never wakes an instance that does not sleep, nor a suspended one', async () => {
    const { world, service, container } = await setup();
    expect(await service.wake(1)).toBe('not sleeping');
    await service.sleep(1);
    await world.lifecycle.suspend(1);
    expect(world.odoo.instance(1).sleeping).toBe(false);
    expect(await service.wake(1)).toBe('not woken: instance is suspended');
    expect(world.docker.containers.get(container)?.status).toBe('exited');
    expect(world.proxy.routes.get(HOST)?.kind).toBe('suspended');
  });

  it('a sleeping instance is suspended, and reactivated, like a running one', async () => {
    const { world, service, container } = await setup();
    await service.sleep(1);
    expect(await world.lifecycle.suspend(1)).toBe('suspended');
    expect(await world.lifecycle.reactivate(1)).toBe('running');
    expect(world.docker.containers.get(container)?.status).toBe('running');
    expect(world.proxy.routes.get(HOST)?.kind).toBe('upstream');
    expect(world.odoo.instance(1).sleeping).toBe(false);
  });
});

describe('scheduled actions of sleeping tenants', () => {
  const HOUR = 3_600_000;

  async function asleepFor(hours: number, nextCron: Date | undefined) {
    const crons = new Map<string, Date>();
    if (nextCron) crons.set(namesOf(1).db, nextCron);
    const { world, service } = await setup(30, crons);
    await service.sleep(1);
    world.odoo.instance(1).sleepingSince = new Date(NOW.getTime() - hours * HOUR)
      .toISOString()
      .replace('T', ' ')
      .slice(0, 19);
    return service;
  }

  it('wakes a tenant whose earliest cron is due, once it has slept 6 hours', async () => {
    expect(await (await asleepFor(7, ago(1))).dueCronWakes()).toEqual([1]);
    // a cron every few minutes does not keep it awake
    expect(await (await asleepFor(2, ago(1))).dueCronWakes()).toEqual([]);
    // nothing due yet
    expect(await (await asleepFor(7, new Date(NOW.getTime() + HOUR))).dueCronWakes()).toEqual([]);
  });

  it('wakes it at least daily, due or not', async () => {
    expect(await (await asleepFor(25, undefined)).dueCronWakes()).toEqual([1]);
    expect(await (await asleepFor(23, undefined)).dueCronWakes()).toEqual([]);
  });

  it('wakes nothing without a way to read the crons', async () => {
    const { service } = await setup();
    await service.sleep(1);
    expect(await service.dueCronWakes()).toEqual([]);
  });
});

describe('a sleeping flag nobody clears', () => {
  it('is cleared when the tenant has run longer than a wake takes (started by something else)', async () => {
    const { world, service, activity, container } = await setup();
    await service.sleep(1);
    await world.docker.startContainer(container);
    // a wake in progress: just started
    activity.startedAt.set(container, new Date(NOW.getTime() - 500));
    expect(await service.clearStaleFlags()).toEqual([]);
    expect(world.odoo.instance(1).sleeping).toBe(true);
    // a rolling update started it minutes ago
    activity.startedAt.set(container, ago(5));
    expect(await service.clearStaleFlags()).toEqual([1]);
    expect(world.odoo.instance(1).sleeping).toBe(false);
  });
});

describe('the reconciler and a sleeping tenant', () => {
  it('leaves it stopped and keeps its hosts on the wake handler', async () => {
    const { world, service, container } = await setup();
    await service.sleep(1);
    // a proxy restarted without its routes
    world.proxy.routes.clear();
    const reconcile = new ReconcileService({
      odoo: world.odoo,
      docker: world.docker,
      proxy: world.proxy,
      identity: world.identity,
      limits: world.limits,
      logger: pino({ level: 'silent' }),
      requestProvision: async () => undefined,
      recordStates: () => undefined,
      routeAsleep: (instance) => service.routeAsleep(instance),
    });
    const report = await reconcile.reconcile();
    expect(report.started).toEqual([]);
    expect(report.sleeping).toEqual([container]);
    expect(world.docker.containers.get(container)?.status).toBe('exited');
    expect(world.proxy.routes.get(HOST)).toMatchObject({ kind: 'wake', instanceId: 1 });
  });

  it('still starts a stopped tenant that is not asleep', async () => {
    const { world, container } = await setup();
    await world.docker.stopContainer(container);
    const report = await world.reconcile.reconcile();
    expect(report.started).toEqual([container]);
  });
});

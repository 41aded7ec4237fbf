import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../../src/errors.js';
import { InjectedFault } from '../../support/fakes/call-log.js';
import { expectRunningTenant } from '../../support/expect-world.js';
import { STARTER_PLAN, worldWithInstance } from '../../support/world.js';

describe('ProvisioningService.provision', () => {
  it('takes a draft instance to a running tenant and tells Odoo so', async () => {
    const world = await worldWithInstance();
    expect(await world.provisioning.provision(1)).toBe('running');
    expectRunningTenant(world);
    expect(world.odoo.statesOf(1)).toEqual(['provisioning', 'running']);
    expect(world.locks.held.size).toBe(0);
    const final = world.odoo.patches.at(-1)?.patch;
    expect(final).toMatchObject({ state: 'running', last_error: false });
    expect(Object.keys(final ?? {}).sort()).toEqual([
      'admin_login',
      'container_ref',
      'db_name',
      'direct_url',
      'last_error',
      'provisioned_at',
      'state',
      'url',
    ]);
    expect(world.odoo.notes.at(-1)?.body).toMatch(
      /^Instance running at <a href="https:\/\/acme\.saas\.example\.com">.*\(plan Starter, database tenant_acme, ready in \d+\.\d s\)\.$/,
    );
  });

  it('builds the container from the plan and the runtime', async () => {
    const world = await worldWithInstance();
    await world.provisioning.provision(1);
    const { spec } = world.docker.containers.get('saas-tenant-acme') ?? {};
    expect(spec).toMatchObject({
      image: 'odoo:17',
      memoryMb: STARTER_PLAN.memoryMb,
      cpus: STARTER_PLAN.cpuLimit,
      network: 'saas_tenants',
      restart: 'unless-stopped',
      labels: {
        'saas.managed': 'true',
        'saas.instance': '1',
        'saas.plan': 'starter',
        'saas.subdomain': 'acme',
      },
    });
    expect(spec?.cmd).toEqual(
      expect.arrayContaining(['--database=tenant_acme', '--db-filter=^tenant_acme$']),
    );
    expect(spec?.env).toContain('USER=tenant_acme');
    expect(spec?.env).toContain(`PASSWORD=${world.db.roles.get('tenant_acme')}`);
    expect(spec?.binds).toContain('/srv/fake-tenants/tenant_acme:/var/lib/odoo');
  });

  it('clones the plan template, which it builds once, and gives the clone its own identity', async () => {
    const world = await worldWithInstance();
    world.odoo.addInstance({ ...world.odoo.instance(1), id: 2, subdomain: 'beta' });
    await world.provisioning.provision(1);
    await world.provisioning.provision(2);
    const template = world.templates.nameOf(STARTER_PLAN);
    expect(world.docker.runs).toHaveLength(1);
    expect(world.docker.runs[0]?.cmd).toContain('--init=base,saas_tenant,sale,crm');
    expect(world.db.get(template)).toMatchObject({
      owner: 'saas_template',
      marker: 'saas:template-ready',
    });
    const clones = world.db.clonesOf(template);
    expect(clones.map((c) => c.name).sort()).toEqual(['tenant_acme', 'tenant_beta']);
    const uuids = new Set([world.db.get(template).uuid, ...clones.map((c) => c.uuid)]);
    expect(uuids.size).toBe(3);
    expect(world.filestore.dirs.get('tenant_acme')).toEqual({ copiedFrom: template });
  });

  it('configures the tenant with the company, the plan limits and the customer login', async () => {
    const world = await worldWithInstance();
    await world.provisioning.provision(1);
    expect(world.tenant.setups).toHaveLength(1);
    const { setup } = world.tenant.setups[0] ?? {};
    expect(setup).toMatchObject({
      companyName: 'Acme SL',
      companyEmail: 'ana@example.com',
      lang: 'es_ES',
      adminLogin: 'ana@example.com',
      limits: { planCode: 'starter', maxUsers: 3, storageMb: 2048, expirationDate: '2030-01-31' },
    });
    expect(setup?.adminPassword).toBe(world.odoo.instance(1).initialPassword);
    expect(setup?.adminPassword).toHaveLength(20);
    // the password was in Odoo before the tenant got it
    const stored = world.log.calls.indexOf(
      'odoo.updateInstance',
      world.log.calls.indexOf('tenant.waitReady'),
    );
    expect(stored).toBeLessThan(world.log.calls.indexOf('tenant.configure'));
  });

  it('is idempotent: a second call finds the tenant running and changes nothing', async () => {
    const world = await worldWithInstance();
    await world.provisioning.provision(1);
    const callsBefore = world.log.calls.length;
    expect(await world.provisioning.provision(1)).toBe('already-running');
    // the welcome mail is queued again (a no-op by its job id) in case a crash came before the first
    expect(world.log.calls.slice(callsBefore)).toEqual([
      'odoo.getInstance',
      'docker.findContainer',
      'welcome.queue',
    ]);
    expect(world.log.count('docker.createContainer')).toBe(1);
    expect(world.log.count('db.cloneDatabase')).toBe(1);
    expectRunningTenant(world);
  });

  it('does not mail the customer again when an admin retries a tenant provisioned long ago', async () => {
    const world = await worldWithInstance();
    await world.provisioning.provision(1);
    world.odoo.instance(1).provisionedAt = '2026-01-01 10:00:00';
    const callsBefore = world.log.calls.length;
    expect(await world.provisioning.provision(1)).toBe('already-running');
    expect(world.log.calls.slice(callsBefore)).not.toContain('welcome.queue');
  });

  it('restarts a stopped container of a running instance without cloning again', async () => {
    const world = await worldWithInstance({}, true);
    await world.docker.stopContainer('saas-tenant-acme');
    expect(await world.provisioning.provision(1)).toBe('running');
    expect(world.log.count('db.cloneDatabase')).toBe(1);
    expect(world.log.count('docker.createContainer')).toBe(1);
    expect(world.tenant.setups).toHaveLength(1);
    expectRunningTenant(world);
  });

  it('refuses to give a provisioned instance whose database is gone an empty clone', async () => {
    const world = await worldWithInstance({}, true);
    await world.docker.removeContainer('saas-tenant-acme');
    await world.db.dropDatabase('tenant_acme');
    await expect(world.provisioning.provision(1)).rejects.toMatchObject({
      code: 'database_failed',
      permanent: true,
    });
    expect(world.log.count('db.cloneDatabase')).toBe(1);
    expect(world.db.dbs.has('tenant_acme')).toBe(false);
  });

  it('skips suspended and terminated instances', async () => {
    for (const state of ['suspended', 'terminating', 'terminated'] as const) {
      const world = await worldWithInstance({ state });
      expect(await world.provisioning.provision(1)).toBe('skipped');
      expect(world.docker.containers.size).toBe(0);
      expect(world.odoo.patches).toEqual([]);
    }
  });

  it('refuses an unknown instance permanently', async () => {
    const world = await worldWithInstance();
    await expect(world.provisioning.provision(99)).rejects.toMatchObject({
      code: 'instance_not_found',
      permanent: true,
    });
  });

  it('refuses a reserved or malformed subdomain permanently, touching nothing', async () => {
    for (const subdomain of ['admin', 'Bad_Name']) {
      const world = await worldWithInstance({ subdomain });
      await expect(world.provisioning.provision(1)).rejects.toMatchObject({
        code: 'subdomain_taken',
        permanent: true,
      });
      expect(world.log.calls).toEqual(['odoo.getInstance']);
    }
  });
});

describe('a subdomain owned by another instance', () => {
  async function worldWithOwner(withContainer: boolean) {
    const world = await worldWithInstance({ id: 2, state: 'running' }, true);
    world.odoo.addInstance({
      ...world.odoo.instance(2),
      id: 1,
      state: 'draft',
      provisionedAt: undefined,
    });
    if (!withContainer) await world.docker.removeContainer('saas-tenant-acme');
    return world;
  }

  it.each([
    ['its container', true],
    ['its database', false],
  ])(
    'is refused permanently when %s exists, and fail() deletes nothing',
    async (_what, withContainer) => {
      const world = await worldWithOwner(withContainer);
      const before = world.log.calls.length;
      const err: unknown = await world.provisioning.provision(1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BridgeError);
      expect(err).toMatchObject({ code: 'subdomain_taken', permanent: true });

      await world.provisioning.fail(1, err);
      const calls = world.log.calls.slice(before);
      for (const destructive of [
        'docker.removeContainer',
        'db.dropDatabase',
        'db.dropRole',
        'filestore.remove',
        'proxy.removeRoute',
      ]) {
        expect(calls).not.toContain(destructive);
      }
      expect(world.docker.containers.has('saas-tenant-acme')).toBe(withContainer);
      expect(world.db.get('tenant_acme').marker).toBe('saas:instance:2');
      expect(world.db.roles.has('tenant_acme')).toBe(true);
      expect(world.filestore.dirs.has('tenant_acme')).toBe(true);
      expect(world.proxy.routes.has('acme.saas.example.com')).toBe(true);
      expect(world.odoo.instance(2).state).toBe('running');
      expect(world.odoo.instance(1)).toMatchObject({
        state: 'error',
        lastError: (err as Error).message,
      });
    },
  );
});

describe('ProvisioningService.fail', () => {
  it('removes what this instance created, and records the error', async () => {
    const world = await worldWithInstance();
    world.odoo.addInstance({ ...world.odoo.instance(1), id: 2, subdomain: 'beta' });
    await world.provisioning.provision(2);
    world.log.failAlways(
      'tenant.waitReady',
      new BridgeError('tenant_not_ready', 'tenant did not answer <in time>'),
    );
    const err: unknown = await world.provisioning.provision(1).catch((e: unknown) => e);
    expect(world.docker.containers.has('saas-tenant-acme')).toBe(true);

    await world.provisioning.fail(1, err);
    expect(world.docker.containers.has('saas-tenant-acme')).toBe(false);
    expect(world.db.dbs.has('tenant_acme')).toBe(false);
    expect(world.db.roles.has('tenant_acme')).toBe(false);
    expect(world.filestore.dirs.has('tenant_acme')).toBe(false);
    expect(world.proxy.routes.has('acme.saas.example.com')).toBe(false);
    expect(world.odoo.instance(1)).toMatchObject({
      state: 'error',
      lastError: 'tenant did not answer <in time>',
    });
    expect(world.odoo.notes.at(-1)).toEqual({
      id: 1,
      body: 'Provisioning failed: tenant did not answer &#60;in time&#62;',
    });
    // the template and the other tenant stay
    expect(world.db.dbs.has(world.templates.nameOf(STARTER_PLAN))).toBe(true);
    expectRunningTenant(world, 2, 'beta');
  });

  it('keeps everything of an instance that ran before (its data belongs to the customer)', async () => {
    const world = await worldWithInstance({}, true);
    await world.provisioning.fail(1, new InjectedFault('later failure'));
    expect(world.docker.containers.has('saas-tenant-acme')).toBe(true);
    expect(world.db.dbs.has('tenant_acme')).toBe(true);
    expect(world.odoo.instance(1)).toMatchObject({ state: 'error', lastError: 'later failure' });
  });

  it('keeps a database without its marker when a container of the name exists', async () => {
    const world = await worldWithInstance({}, true);
    world.db.get('tenant_acme').marker = undefined;
    world.docker.containers.get('saas-tenant-acme')!.labels['saas.instance'] = '2';
    await world.provisioning.fail(1, new InjectedFault('x'));
    expect(world.db.dbs.has('tenant_acme')).toBe(true);
    expect(world.docker.containers.has('saas-tenant-acme')).toBe(true);
  });

  it('still records the error when the clean-up fails', async () => {
    const world = await worldWithInstance();
    world.log.failAlways('docker.findContainer');
    await world.provisioning.fail(1, new InjectedFault('first failure'));
    expect(world.odoo.instance(1)).toMatchObject({ state: 'error', lastError: 'first failure' });
  });

  it('truncates very long errors for Odoo', async () => {
    const world = await worldWithInstance();
    await world.provisioning.fail(1, new Error('x'.repeat(5000)));
    expect(world.odoo.instance(1).lastError).toHaveLength(2000);
  });
});

import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../../src/errors.js';
import { tenantLocaleOf } from '../../../src/services/tenant-locale.js';
import { InjectedFault } from '../../support/fakes/call-log.js';
import { expectRunningTenant } from '../../support/expect-world.js';
import {
  draftInstance,
  MAIL_RELAY,
  namesOf,
  OWNER,
  refOf,
  STARTER_PLAN,
  worldWithInstance,
} from '../../support/world.js';

const ACME = namesOf(1);
const BETA = namesOf(2);

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
      /^Instance running at <a href="https:\/\/acme\.saas\.example\.com">.*\(plan Starter, database tenant_tref0000001, ready in \d+\.\d s\)\.$/,
    );
  });

  it('builds the container from the plan and the runtime', async () => {
    const world = await worldWithInstance();
    await world.provisioning.provision(1);
    const { spec } = world.docker.containers.get(ACME.container) ?? {};
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
      expect.arrayContaining([
        `--database=${ACME.db}`,
        `--db-filter=^${ACME.db}$`,
        '--config=/var/lib/odoo/odoo.conf',
      ]),
    );
    expect(spec?.env).toContain(`USER=${ACME.db}`);
    expect(spec?.env).toContain(`PASSWORD=${world.db.roles.get(ACME.db)}`);
    expect(spec?.env).toContain('ODOO_RC=/var/lib/odoo/odoo.conf');
    expect(spec?.binds).toContain(`/srv/fake-tenants/${ACME.db}:/var/lib/odoo`);
  });

  it("sizes the tenant's pool from its plan and limits its role to match", async () => {
    const world = await worldWithInstance();
    await world.provisioning.provision(1);
    const { spec } = world.docker.containers.get(ACME.container) ?? {};
    // Odoo's default pool is 64 per process: one busy tenant could take a host's max_connections
    expect(spec?.cmd).toContain('--db_maxconn=6');
    expect(spec?.cmd).toContain('--max-cron-threads=1');
    expect(spec?.env).toContain('ODOO_MAX_HTTP_THREADS=2');
    expect(world.db.connectionLimits.get(ACME.db)).toBe(8);
  });

  it("mounts only saas_tenant into the tenant: the master's addon is not on its addons path", async () => {
    const world = await worldWithInstance();
    await world.provisioning.provision(1);
    const { binds } = world.docker.containers.get(ACME.container)!.spec;
    const addons = binds.filter((b) => b.includes('/mnt/extra-addons'));
    expect(addons).toEqual(['/srv/odoo-addons/saas_tenant:/mnt/extra-addons/saas_tenant:ro']);
    expect(binds.join(' ')).not.toContain('saas_master');
  });

  it("writes the plan's limits into the tenant's database, with the plan that has each other app", async () => {
    const world = await worldWithInstance();
    world.odoo.addPlan({
      ...STARTER_PLAN,
      id: 8,
      code: 'pro',
      name: 'Pro',
      price: 39,
      modules: ['sale', 'crm', 'project'],
      apps: ['hr'],
    });
    world.odoo.addPlan({
      ...STARTER_PLAN,
      id: 9,
      code: 'max',
      name: 'Max',
      price: 79,
      modules: ['project', 'stock'],
    });
    await world.provisioning.provision(1);
    const data = world.db.dbs.get(ACME.db)!.data;
    expect(data).toMatchObject({
      'saas_tenant.plan_code': 'starter',
      'saas_tenant.plan_name': 'Starter',
      'saas_tenant.max_users': '3',
      'saas_tenant.storage_mb': '2048',
      'saas_tenant.expiration_date': '2030-01-31',
      'saas_tenant.apps': 'crm,sale',
      'saas_tenant.app_plans': JSON.stringify({ hr: 'Pro', project: 'Pro', stock: 'Max' }),
      'saas_tenant.upgrade_url': 'https://master.example.com/my/instances/1',
    });
  });

  it('names database, role, container and data dir from the tenant ref, never the subdomain', async () => {
    const world = await worldWithInstance({ tenantRef: 'tq7h2k4m5ab', subdomain: 'acme' });
    await world.provisioning.provision(1);
    expect([...world.docker.containers.keys()]).toEqual(['saas-tenant-tq7h2k4m5ab']);
    expect(world.db.dbs.has('tenant_tq7h2k4m5ab')).toBe(true);
    expect(world.filestore.dirs.has('tenant_tq7h2k4m5ab')).toBe(true);
    const names = [
      ...world.docker.containers.keys(),
      ...world.db.dbs.keys(),
      ...world.db.roles.keys(),
    ];
    expect(names.filter((n) => n.includes('acme'))).toEqual([]);
    expect(world.proxy.routes.has('acme.saas.example.com')).toBe(true);
  });

  it("gives each tenant a random master password, kept only (hashed) in the tenant's own config", async () => {
    const world = await worldWithInstance();
    world.odoo.addInstance(draftInstance({ id: 2, subdomain: 'beta' }));
    await world.provisioning.provision(1);
    await world.provisioning.provision(2);
    const [one, two] = [world.filestore.configs.get(ACME.db), world.filestore.configs.get(BETA.db)];
    expect(one).toMatch(
      /^\[options\]\nadmin_passwd = \$pbkdf2-sha512\$\d+\$[./A-Za-z0-9]+\$[./A-Za-z0-9]+\nemail_from = notifications@acme\.saas\.example\.com\n$/,
    );
    expect(two).toMatch(/^\[options\]\nadmin_passwd = /);
    expect(one).not.toBe(two);
    // neither the master, nor any job data or container spec hears of it
    const secret = one?.split('\n')[1]?.split(' = ')[1]?.trim() ?? '';
    expect(JSON.stringify([...world.odoo.patches, ...world.odoo.notes])).not.toContain(secret);
    expect(JSON.stringify(world.docker.containers.get(ACME.container)?.spec)).not.toContain(secret);
  });

  it("reaches the tenant as its technical user with a key recomputed from the ref, never the customer's admin", async () => {
    const world = await worldWithInstance();
    await world.provisioning.provision(1);
    const data = world.db.get(ACME.db).data;
    expect(data.bridgeLogin).toBe('__saas_bridge__');
    const key = world.identity.bridgeKey(refOf(1));
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    expect(data.bridgeKeyIndex).toBe(key.slice(0, 8));
    expect(data.bridgeKeyHash).toMatch(/^\$pbkdf2-sha512\$6000\$/);
    expect(data.bridgeKeyHash).not.toContain(key);
    // the key is in no write to the master and no container spec
    expect(JSON.stringify(world.odoo.patches)).not.toContain(key);
    expect(JSON.stringify([...world.docker.containers.values()].map((c) => c.spec))).not.toContain(
      key,
    );
    // template's admin/admin is gone from the clone; only the customer's password opens uid 2
    const url = `http://${world.docker.containers.get(ACME.container)?.ip}:8069`;
    expect(await world.tenant.canLogin(url, ACME.db, 'admin', 'admin')).toBe(false);
    expect(
      await world.tenant.canLogin(
        url,
        ACME.db,
        'ana@example.com',
        world.odoo.instance(1).initialPassword ?? '',
      ),
    ).toBe(true);
  });

  it("sets the tenant up for several companies when the admin's Create instance asked for it", async () => {
    const world = await worldWithInstance({ multiCompany: true });
    await world.provisioning.provision(1);
    expect(world.tenant.setups.at(-1)?.setup.multiCompany).toBe(true);
    const single = await worldWithInstance();
    await single.provisioning.provision(1);
    expect(single.tenant.setups.at(-1)?.setup.multiCompany).toBe(false);
  });

  it('talks to the master five times for a first provisioning (read instance, plan and plans, two writes)', async () => {
    const world = await worldWithInstance();
    await world.provisioning.provision(1);
    const master = world.log.calls.filter((c) => c.startsWith('odoo.'));
    // the plan is read before the first write: a tenant that does not fit waits without one
    expect(master).toEqual([
      'odoo.getInstance',
      'odoo.getPlan',
      'odoo.updateInstance',
      // the other plans, for the tenant's "which plan has this app" (limits step)
      'odoo.listPlans',
      'odoo.updateInstance',
    ]);
    expect(world.log.count('docker.findContainer')).toBe(1);
  });

  it('clones the plan template, which it builds once, and gives the clone its own identity', async () => {
    // English-speaking buyers without a country: the plain template
    const world = await worldWithInstance({ lang: 'en_US' });
    world.odoo.addInstance({
      ...world.odoo.instance(1),
      id: 2,
      tenantRef: refOf(2),
      subdomain: 'beta',
    });
    await world.provisioning.provision(1);
    await world.provisioning.provision(2);
    const template = world.templates.nameOf(STARTER_PLAN);
    expect(world.docker.installRuns).toHaveLength(1);
    expect(world.docker.installRuns[0]?.cmd).toContain('--init=base,saas_tenant,sale,crm');
    expect(world.db.get(template)).toMatchObject({
      owner: 'saas_template',
      marker: 'saas:template-ready',
    });
    const clones = world.db.clonesOf(template);
    expect(clones.map((c) => c.name).sort()).toEqual([ACME.db, BETA.db]);
    const uuids = new Set([world.db.get(template).uuid, ...clones.map((c) => c.uuid)]);
    expect(uuids.size).toBe(3);
    expect(world.filestore.dirs.get(ACME.db)).toEqual({ copiedFrom: template });
  });

  it("builds a Spanish buyer's template in Spanish with the company in Spain before the apps, and sets the tenant up in their locale with the relay", async () => {
    const spain = { lang: 'es_ES', countryCode: 'ES', currency: 'EUR', tz: 'Europe/Madrid' };
    const world = await worldWithInstance(spain);
    world.odoo.addInstance({ ...draftInstance({ id: 2, subdomain: 'beta' }), ...spain });
    world.odoo.addInstance(draftInstance({ id: 3, subdomain: 'gamma', lang: 'en_US' }));
    for (const id of [1, 2, 3]) await world.provisioning.provision(id);
    const template = world.templates.nameOf(STARTER_PLAN, { lang: 'es_ES', country: 'ES' });
    expect(template).toMatch(/^tmpl_starter_[0-9a-f]{10}_es_es_es$/);
    // built once for both Spanish buyers: base with the language, the country, then the apps
    const builds = world.docker.installRuns.filter(
      (run) => run.labels?.['saas.template'] === template,
    );
    expect(
      builds.map((run) => run.cmd.filter((arg) => /^--(init|load-language)=/.test(arg))),
    ).toEqual([
      ['--init=base', '--load-language=es_ES'],
      ['--init=saas_tenant,sale,crm', '--load-language=es_ES'],
    ]);
    expect(world.db.get(template).data['company.country']).toBe('ES');
    expect(
      world.db
        .clonesOf(template)
        .map((c) => c.name)
        .sort(),
    ).toEqual([ACME.db, BETA.db]);
    // the English one clones the plain template, which the Spanish build did not drop
    const plainTemplate = world.templates.nameOf(STARTER_PLAN);
    expect(world.db.clonesOf(plainTemplate)).toHaveLength(1);
    expect(world.db.dbs.has(template)).toBe(true);
    const setup = world.tenant.setups.find((s) => s.db === ACME.db)?.setup;
    expect(setup).toMatchObject({
      lang: 'es_ES',
      countryCode: 'ES',
      currency: 'EUR',
      tz: 'Europe/Madrid',
      mail: { relay: MAIL_RELAY, mailDomain: 'acme.saas.example.com' },
    });
    // the relay's password goes to the tenant only: not to the master, nor into a container spec
    const elsewhere = JSON.stringify([
      world.odoo.patches,
      world.odoo.notes,
      [...world.docker.containers.values()].map((c) => c.spec),
      world.docker.runs,
    ]);
    expect(elsewhere).not.toContain(MAIL_RELAY.password);
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
    // the password was in Odoo before the tenant got it, in the write that marks the start
    const first = world.odoo.patches[0]?.patch;
    expect(first).toMatchObject({
      state: 'provisioning',
      admin_login: 'ana@example.com',
      initial_password: setup?.adminPassword,
    });
    expect(world.log.calls.indexOf('odoo.updateInstance')).toBeLessThan(
      world.log.calls.indexOf('tenant.configure'),
    );
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
    await world.docker.stopContainer(ACME.container);
    expect(await world.provisioning.provision(1)).toBe('running');
    expect(world.log.count('db.cloneDatabase')).toBe(1);
    expect(world.log.count('docker.createContainer')).toBe(1);
    expect(world.tenant.setups).toHaveLength(1);
    expectRunningTenant(world);
  });

  it('refuses to give a provisioned instance whose database is gone an empty clone', async () => {
    const world = await worldWithInstance({}, true);
    await world.docker.removeContainer(ACME.container);
    await world.db.dropDatabase(ACME.db);
    await expect(world.provisioning.provision(1)).rejects.toMatchObject({
      code: 'database_failed',
      permanent: true,
    });
    expect(world.log.count('db.cloneDatabase')).toBe(1);
    expect(world.db.dbs.has(ACME.db)).toBe(false);
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

describe("tenant names already used by another master's tenant on the same machine", () => {
  /**
   * Another stack (its own master, same Docker engine and PostgreSQL) runs a tenant under the names
   * this instance's ref gives: e.g. two masters whose instances kept their subdomains as refs.
   */
  async function worldWithForeignTenant(withContainer: boolean) {
    const world = await worldWithInstance({}, true);
    const other = 'other-master-uuid-0002';
    const container = world.docker.containers.get(ACME.container)!;
    container.labels['saas.owner'] = other;
    world.db.get(ACME.db).marker = `saas:instance:1 owner:${other}`;
    Object.assign(world.odoo.instance(1), {
      state: 'draft',
      provisionedAt: undefined,
      initialPassword: undefined,
    });
    if (!withContainer) await world.docker.removeContainer(ACME.container);
    return { world, other };
  }

  it.each([
    ['its container', true],
    ['its database', false],
  ])(
    'is refused permanently when %s exists, and fail() deletes nothing',
    async (_what, withContainer) => {
      const { world, other } = await worldWithForeignTenant(withContainer);
      const before = world.log.calls.length;
      const err: unknown = await world.provisioning.provision(1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BridgeError);
      expect(err).toMatchObject({ code: 'subdomain_taken', permanent: true });

      await world.provisioning.fail(1, err);
      const calls = world.log.calls.slice(before);
      for (const destructive of [
        'docker.removeContainer',
        'docker.stopContainer',
        'db.dropDatabase',
        'db.dropRole',
        'filestore.remove',
        'proxy.removeRoute',
      ]) {
        expect(calls).not.toContain(destructive);
      }
      expect(world.docker.containers.has(ACME.container)).toBe(withContainer);
      expect(world.db.get(ACME.db).marker).toBe(`saas:instance:1 owner:${other}`);
      expect(world.db.roles.has(ACME.db)).toBe(true);
      expect(world.filestore.dirs.has(ACME.db)).toBe(true);
      expect(world.odoo.instance(1)).toMatchObject({
        state: 'error',
        lastError: (err as Error).message,
      });
    },
  );

  it('adopts a database of this instance marked before owners existed, and stamps our owner', async () => {
    const world = await worldWithInstance({}, true);
    world.db.get(ACME.db).marker = 'saas:instance:1';
    await world.docker.removeContainer(ACME.container);
    expect(await world.provisioning.provision(1)).toBe('running');
    expect(world.log.count('db.cloneDatabase')).toBe(1);
    expect(world.db.get(ACME.db).marker).toBe(`saas:instance:1 owner:${OWNER}`);
  });
});

describe('ProvisioningService.fail', () => {
  it('removes what this instance created, and records the error', async () => {
    const world = await worldWithInstance();
    world.odoo.addInstance({
      ...world.odoo.instance(1),
      id: 2,
      tenantRef: refOf(2),
      subdomain: 'beta',
    });
    await world.provisioning.provision(2);
    world.log.failAlways(
      'tenant.waitReady',
      new BridgeError('tenant_not_ready', 'tenant did not answer <in time>'),
    );
    const err: unknown = await world.provisioning.provision(1).catch((e: unknown) => e);
    expect(world.docker.containers.has(ACME.container)).toBe(true);

    await world.provisioning.fail(1, err);
    expect(world.docker.containers.has(ACME.container)).toBe(false);
    expect(world.db.dbs.has(ACME.db)).toBe(false);
    expect(world.db.roles.has(ACME.db)).toBe(false);
    expect(world.filestore.dirs.has(ACME.db)).toBe(false);
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
    const template = world.templates.nameOf(STARTER_PLAN, tenantLocaleOf(world.odoo.instance(1)));
    expect(world.db.dbs.has(template)).toBe(true);
    expectRunningTenant(world, 2, 'beta');
  });

  it('cleans up nothing when the master was unreachable (an outage, not a broken tenant)', async () => {
    const world = await worldWithInstance();
    world.log.failAlways(
      'tenant.waitReady',
      new BridgeError('tenant_not_ready', 'tenant did not answer in time'),
    );
    await world.provisioning.provision(1).catch(() => undefined);
    const outage = new BridgeError(
      'odoo_unreachable',
      'Odoo at http://master unreachable: ECONNREFUSED',
    );
    await world.provisioning.fail(1, outage);
    expect(world.docker.containers.has(ACME.container)).toBe(true);
    expect(world.db.dbs.has(ACME.db)).toBe(true);
    expect(world.db.roles.has(ACME.db)).toBe(true);
    expect(world.odoo.instance(1)).toMatchObject({ state: 'error', lastError: outage.message });
  });

  it('keeps everything of an instance that ran before (its data belongs to the customer)', async () => {
    const world = await worldWithInstance({}, true);
    await world.provisioning.fail(1, new InjectedFault('later failure'));
    expect(world.docker.containers.has(ACME.container)).toBe(true);
    expect(world.db.dbs.has(ACME.db)).toBe(true);
    expect(world.odoo.instance(1)).toMatchObject({ state: 'error', lastError: 'later failure' });
  });

  it('keeps a database without its marker when a container of the name exists', async () => {
    const world = await worldWithInstance({}, true);
    world.db.get(ACME.db).marker = undefined;
    world.docker.containers.get(ACME.container)!.labels['saas.instance'] = '2';
    await world.provisioning.fail(1, new InjectedFault('x'));
    expect(world.db.dbs.has(ACME.db)).toBe(true);
    expect(world.docker.containers.has(ACME.container)).toBe(true);
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

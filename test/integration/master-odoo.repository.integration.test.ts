import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterOdooRepository } from '../../src/adapters/master-odoo.repository.js';
import { OdooClient, OdooFaultError } from '../../src/adapters/odoo.client.js';
import { BridgeError } from '../../src/errors.js';
import type { InstancePatch, PlanRecord } from '../../src/ports/odoo.port.js';
import { logFigure, unavailable, withoutOdooSrc } from '../support/integration/availability.js';
import {
  clientOptions,
  probeMasterOdoo,
  startMasterOdoo,
  type MasterOdoo,
} from '../support/integration/master-odoo.js';

const skip = withoutOdooSrc() ?? (await unavailable('master Odoo', probeMasterOdoo));

const PLAN_DATA = path.resolve(
  import.meta.dirname,
  '../../odoo-addons/saas_master/data/product_plan_data.xml',
);

/** PlanRecord key of each plan field the data file may set */
const PLAN_KEYS: Record<string, [keyof PlanRecord, (value: string) => unknown]> = {
  name: ['name', String],
  saas_plan_code: ['code', String],
  saas_period_months: ['periodMonths', Number],
  saas_trial_days: ['trialDays', Number],
  saas_max_users: ['maxUsers', Number],
  saas_storage_mb: ['storageMb', Number],
  saas_cpu_limit: ['cpuLimit', Number],
  saas_memory_mb: ['memoryMb', Number],
  saas_workers: ['workers', Number],
  saas_db_maxconn: ['dbMaxconn', Number],
  saas_expected_memory_mb: ['expectedMemoryMb', Number],
  saas_modules: ['modules', (v) => v.split(',').map((m) => m.trim())],
  saas_apps: ['apps', (v) => v.split(',').map((m) => m.trim())],
  list_price: ['price', Number],
};

/** the plans the addon ships (data/product_plan_data.xml), as the repository should answer them */
async function seededPlans(): Promise<Map<string, Partial<PlanRecord>>> {
  const xml = await readFile(PLAN_DATA, 'utf8');
  const plans = new Map<string, Partial<PlanRecord>>();
  for (const [, xmlId, body] of xml.matchAll(
    /<record id="(\w+)" model="product\.template">([\s\S]*?)<\/record>/g,
  )) {
    if (!xmlId || !/<field name="saas_is_plan" eval="True"\/>/.test(body ?? '')) continue;
    const plan: Record<string, unknown> = {};
    for (const [, field, value] of (body ?? '').matchAll(/<field name="(\w+)">([^<]*)<\/field>/g)) {
      const key = field && PLAN_KEYS[field];
      if (key && value !== undefined) plan[key[0]] = key[1](value);
    }
    plans.set(xmlId, plan as Partial<PlanRecord>);
  }
  return plans;
}

describe.skipIf(skip)('MasterOdooRepository against a real master Odoo 17', () => {
  let master: MasterOdoo;
  let admin: OdooClient;
  let repo: MasterOdooRepository;
  let plans: Map<string, Partial<PlanRecord>>;
  /** database id of each seeded plan, by its XML id */
  const planIds = new Map<string, number>();
  let partnerId: number;
  let alpha: number;
  let beta: number;

  const call = <T>(model: string, method: string, args: unknown[], kwargs = {}) =>
    admin.executeKw(model, method, args, kwargs) as Promise<T>;
  const planId = (xmlId: string) => planIds.get(xmlId) ?? 0;

  beforeAll(async () => {
    const t0 = Date.now();
    master = await startMasterOdoo();
    logFigure(`${master.figures} (repository suite set-up ${Date.now() - t0} ms)`);
    admin = new OdooClient(clientOptions(master, master.admin));
    repo = new MasterOdooRepository(new OdooClient(clientOptions(master, master.bridge)));
    plans = await seededPlans();
    const refs = await call<{ name: string; res_id: number }[]>(
      'ir.model.data',
      'search_read',
      [
        [
          ['module', '=', 'saas_master'],
          ['name', 'in', [...plans.keys()]],
        ],
      ],
      { fields: ['name', 'res_id'] },
    );
    for (const ref of refs) planIds.set(ref.name, ref.res_id);
    partnerId = await call<number>('res.partner', 'create', [
      { name: 'Alpha Ltd', email: 'owner@alpha.example', is_company: true, lang: 'en_US' },
    ]);
    alpha = await call<number>('saas.instance', 'create', [
      {
        subdomain: 'it-alpha',
        partner_id: partnerId,
        plan_id: planId('product_plan_basic'),
        company_name: 'Alpha Trading',
        expiration_date: '2027-01-31',
      },
    ]);
    beta = await call<number>('saas.instance', 'create', [
      { subdomain: 'it-beta', partner_id: partnerId, plan_id: planId('product_plan_pro') },
    ]);
  }, 15 * 60_000);

  afterAll(async () => {
    await master?.stop();
  });

  it('pings with the technical user, and refuses a wrong password', async () => {
    await expect(repo.ping()).resolves.toBeUndefined();
    const wrong = new MasterOdooRepository(
      new OdooClient({ ...clientOptions(master, master.bridge), password: 'not-the-key' }),
    );
    await expect(wrong.ping()).rejects.toMatchObject({
      faultName: 'odoo.exceptions.AccessDenied',
      permanent: true,
    });
  });

  it('maps an instance: many2one ids and names, Odoo false as undefined', async () => {
    const instance = await repo.getInstance(alpha);
    expect(instance).toMatchObject({
      id: alpha,
      subdomain: 'it-alpha',
      state: 'draft',
      planId: planId('product_plan_basic'),
      partnerId,
      partnerName: 'Alpha Ltd',
      partnerEmail: 'owner@alpha.example',
      companyName: 'Alpha Trading',
      lang: 'en_US',
      expirationDate: '2027-01-31',
      url: undefined,
      dbName: undefined,
      containerRef: undefined,
      adminLogin: undefined,
      initialPassword: undefined,
      provisionedAt: undefined,
    });
  });

  it('answers undefined for an instance that does not exist', async () => {
    await expect(repo.getInstance(Math.max(alpha, beta) + 1000)).resolves.toBeUndefined();
  });

  it('lists every instance, each as getInstance answers it', async () => {
    const all = await repo.listInstances();
    const ours = all.filter((i) => [alpha, beta].includes(i.id));
    expect(ours.map((i) => i.subdomain).sort()).toEqual(['it-alpha', 'it-beta']);
    for (const instance of ours) expect(instance).toEqual(await repo.getInstance(instance.id));
    expect(ours.find((i) => i.id === beta)).toMatchObject({ planId: planId('product_plan_pro') });
  });

  it('maps every plan the addon seeds, fields and module list', async () => {
    expect(plans.size).toBeGreaterThanOrEqual(3);
    expect(plans.get('product_plan_pro')).toMatchObject({
      code: 'pro',
      modules: ['contacts', 'crm', 'sale_management'],
      apps: ['project'],
      price: 39,
    });
    const listed = await repo.listPlans();
    for (const [xmlId, expected] of plans) {
      const plan = await repo.getPlan(planId(xmlId));
      expect(plan, xmlId).toMatchObject({ id: planId(xmlId), ...expected });
      expect(listed.find((p) => p.id === plan.id)).toEqual(plan);
    }
  });

  it('refuses a product that is no plan as a permanent plan_invalid', async () => {
    const product = await call<number>('product.template', 'create', [{ name: 'A mug' }]);
    const err: unknown = await repo.getPlan(product).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ code: 'plan_invalid', permanent: true });
    expect((err as Error).message).toBe(`plan ${product} is not a SaaS plan in the master`);
    expect((await repo.listPlans()).map((p) => p.id)).not.toContain(product);
  });

  it('writes the fields the bridge reports, and clears them with false', async () => {
    // suspended: the model itself clears suspended_since when an instance runs again
    const patch: InstancePatch = {
      state: 'suspended',
      url: 'http://it-alpha.localhost:8080',
      direct_url: 'http://127.0.0.1:49152',
      db_name: 'tenant_it_alpha',
      container_ref: 'saas-tenant-it-alpha',
      admin_login: 'owner@alpha.example',
      initial_password: 'first-password-1',
      last_error: 'a previous attempt failed',
      provisioned_at: '2026-12-01 20:00:00',
      suspended_since: '2026-12-01 21:00:00',
      expiration_date: '2027-02-28',
    };
    await repo.updateInstance(alpha, patch);

    expect(await repo.getInstance(alpha)).toMatchObject({
      state: 'suspended',
      url: patch.url,
      dbName: patch.db_name,
      containerRef: patch.container_ref,
      adminLogin: patch.admin_login,
      initialPassword: patch.initial_password,
      provisionedAt: patch.provisioned_at,
      expirationDate: patch.expiration_date,
    });
    const read = async () =>
      (
        await call<Record<string, unknown>[]>('saas.instance', 'read', [[alpha]], {
          fields: ['direct_url', 'last_error', 'suspended_since'],
        })
      )[0];
    expect(await read()).toMatchObject({
      direct_url: patch.direct_url,
      last_error: patch.last_error,
      suspended_since: patch.suspended_since,
    });

    await repo.updateInstance(alpha, { last_error: false, suspended_since: false });
    expect(await read()).toMatchObject({ last_error: false, suspended_since: false });
  });

  it('posts a note in the chatter, as the bridge user, internal', async () => {
    const body = `Provisioned in 6.1 s (${Date.now()})`;
    await repo.postNote(beta, body);

    const messages = await call<
      {
        body: string;
        message_type: string;
        subtype_id: [number, string];
        author_id: [number, string];
      }[]
    >(
      'mail.message',
      'search_read',
      [
        [
          ['model', '=', 'saas.instance'],
          ['res_id', '=', beta],
          ['body', 'ilike', body],
        ],
      ],
      { fields: ['body', 'message_type', 'subtype_id', 'author_id'] },
    );
    expect(messages).toHaveLength(1);
    const [note] = messages;
    expect(note?.body).toBe(`<p>${body}</p>`);
    expect(note?.message_type).toBe('comment');
    expect(note?.author_id[1]).toBe('SaaS Bridge');
    const [subtype] = await call<{ internal: boolean }[]>(
      'mail.message.subtype',
      'read',
      [[note?.subtype_id[0]]],
      { fields: ['internal'] },
    );
    expect(subtype?.internal).toBe(true);
  });

  it("refuses what the bridge group may not do, with Odoo's reason, changing nothing", async () => {
    const bridge = new OdooClient(clientOptions(master, master.bridge));
    const basic = planId('product_plan_basic');
    const price = async () =>
      (
        await call<{ list_price: number }[]>('product.template', 'read', [[basic]], {
          fields: ['list_price'],
        })
      )[0]?.list_price;
    const before = await price();
    expect(before).toBeGreaterThan(0);

    const err: unknown = await bridge
      .executeKw('product.template', 'write', [[basic], { list_price: 0 }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooFaultError);
    expect(err).toMatchObject({ faultName: 'odoo.exceptions.AccessError', permanent: true });
    expect((err as Error).message).toContain("You are not allowed to modify 'Product'");
    expect(await price()).toBe(before);
  });

  it('refuses a write on an instance that does not exist as a permanent MissingError', async () => {
    const missing = Math.max(alpha, beta) + 1000;
    await expect(repo.updateInstance(missing, { state: 'running' })).rejects.toMatchObject({
      faultName: 'odoo.exceptions.MissingError',
      permanent: true,
    });
  });
});

/**
 * A tenant bought by a Spanish customer in Spain, on a plan with Sales: cloned from the plan's
 * es_ES/ES template (built by TemplateService: Spanish loaded, the company in Spain before the apps,
 * so Odoo installs l10n_es with its default chart), started and set up by the provisioning steps
 * with the platform's relay (an SMTP sink on the tenant network's gateway). Its admin speaks
 * Spanish, its company is in Spain in euros with the Spanish chart, and a quotation sent from it
 * arrives at the sink from notifications@<its host> with its PDF, as an invoice does: wkhtmltopdf
 * renders inside the tenant's container, under Odoo's limit_memory_hard (services/tenant-sizing.ts). The same plan's plain template gives the
 * figure to compare provisioning time with. Runs only with ODOO_SRC set; heavy: hold the lock.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonFingerprint } from '../../src/adapters/addon-fingerprint.js';
import { DockerAdapter } from '../../src/adapters/docker.adapter.js';
import { FilestoreAdapter } from '../../src/adapters/filestore.adapter.js';
import { OdooClient } from '../../src/adapters/odoo.client.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { TenantOdooRepository } from '../../src/adapters/tenant-odoo.repository.js';
import type { InstanceRecord, OdooPort, PlanRecord } from '../../src/ports/odoo.port.js';
import type { ProxyPort } from '../../src/ports/proxy.port.js';
import { ensureContainer } from '../../src/services/provisioning/container.step.js';
import type {
  ProvisionContext,
  ProvisioningDeps,
  ReadyTenant,
} from '../../src/services/provisioning/context.js';
import { ensureDatabase } from '../../src/services/provisioning/database.step.js';
import { ensureTenantSetup } from '../../src/services/provisioning/tenant-setup.step.js';
import { TemplateService } from '../../src/services/template.service.js';
import { TenantIdentity } from '../../src/services/tenant-identity.js';
import { tenantLimitsOf } from '../../src/services/tenant-limits.js';
import { tenantLocaleOf } from '../../src/services/tenant-locale.js';
import { TenantMailRelayService } from '../../src/services/tenant-mail-relay.service.js';
import { FakeLocks } from '../support/fakes/fake-locks.js';
import { logFigure, unavailable, waitFor } from '../support/integration/availability.js';
import { pgAdminUrl } from '../support/integration/pg-admin.js';
import { attachments, decoded, header, startSmtpSink } from '../support/integration/smtp-sink.js';
import { draftInstance } from '../support/world.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const ODOO_SRC = process.env.ODOO_SRC;
const IMAGE = process.env.TENANT_IMAGE ?? 'saas-odoo-runtime:17';
const docker = new DockerAdapter(process.env.DOCKER_SOCKET ?? '/var/run/docker.sock');
const skip = ODOO_SRC
  ? await unavailable('Docker engine with the tenant image and PostgreSQL', async () => {
      if (!(await docker.imageId(IMAGE))) throw new Error(`image ${IMAGE} missing`);
      const probe = new PostgresAdapter(await pgAdminUrl());
      await probe.ping().finally(() => probe.close());
    })
  : (console.error('SKIP tenant locale and mail integration: ODOO_SRC is not set'), 'no ODOO_SRC');

const run = randomBytes(3).toString('hex');
const DATA_DIR = '/tmp/saas-it-tenant-odoo';
const BASE_DOMAIN = 'saas.test';
const SALES: PlanRecord = {
  id: 3,
  code: 'it_sales',
  name: 'Sales',
  periodMonths: 1,
  trialDays: 0,
  maxUsers: 3,
  storageMb: 1024,
  cpuLimit: 1,
  memoryMb: 1024,
  workers: 0,
  modules: ['sale_management'],
};
const SPAIN = { lang: 'es_ES', countryCode: 'ES', currency: 'EUR', tz: 'Europe/Madrid' };

const noMaster = new Proxy({} as OdooPort, {
  get: (_t, key) => () => Promise.reject(new Error(`not used here: ${String(key)}`)),
});
const noProxy = new Proxy({} as ProxyPort, {
  get: (_t, key) => () => Promise.reject(new Error(`not used here: ${String(key)}`)),
});
const identity = new TenantIdentity({
  owner: `it-owner-${run}`,
  baseDomain: BASE_DOMAIN,
  bridgeSecret: randomBytes(24).toString('hex'),
});

let db: PostgresAdapter;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let deps: ProvisioningDeps;
let spanish: { tenant: ReadyTenant; instance: InstanceRecord; password: string; ms: number };
let plain: { tenant: ReadyTenant; instance: InstanceRecord; password: string; ms: number };
let adminUrl: string;
const made: InstanceRecord[] = [];

/** clone, container and set-up of one tenant, as provisioning does them; the milliseconds taken */
async function provision(instance: InstanceRecord, password: string) {
  made.push(instance);
  const template = await deps.templates.ensure(SALES, tenantLocaleOf(instance));
  const started = Date.now();
  const ctx: ProvisionContext = {
    instance,
    plan: SALES,
    names: identity.namesOf(instance),
    container: undefined,
    initialPassword: password,
    log: deps.logger,
  };
  await ensureDatabase(deps, ctx, { kind: 'template', template });
  const tenant = await ensureContainer(deps, ctx);
  await ensureTenantSetup(deps, ctx, tenant, instance.partnerEmail ?? 'admin');
  return { tenant, ms: Date.now() - started };
}

/** the one PDF a mail carries: a real one, as wkhtmltopdf wrote it */
function onePdf(raw: string) {
  const pdfs = attachments(raw).filter((a) => a.contentType === 'application/pdf');
  expect(pdfs.map((a) => a.filename)).toHaveLength(1);
  expect(pdfs[0]!.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  return pdfs[0]!;
}

function asOwner(of: typeof spanish = spanish): OdooClient {
  return new OdooClient({
    url: of.tenant.directUrl,
    db: identity.namesOf(of.instance).db,
    login: of.instance.partnerEmail ?? '',
    password: of.password,
    timeoutMs: 120_000,
  });
}

/** SQL straight into a tenant's database, as the PostgreSQL admin */
async function inTenantDb(name: string, sql: string): Promise<void> {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

interface MailServerRow {
  id: number;
  name: string;
  smtp_host: string;
  smtp_port: number;
  from_filter: string | false;
}

async function mailServers(owner: OdooClient): Promise<MailServerRow[]> {
  return (await owner.executeKw('ir.mail_server', 'search_read', [[]], {
    fields: ['name', 'smtp_host', 'smtp_port', 'from_filter'],
    context: { active_test: false },
  })) as MailServerRow[];
}

describe.skipIf(skip)('a tenant of a Spanish customer in Spain (real Odoo)', () => {
  beforeAll(async () => {
    adminUrl = await pgAdminUrl();
    db = new PostgresAdapter(adminUrl);
    const filestore = new FilestoreAdapter(DATA_DIR, Number(process.env.TENANT_UID ?? 101));
    const network = process.env.TENANT_NETWORK ?? 'saas_tenants';
    const { gateway } = await docker.ensureNetwork(
      network,
      process.env.TENANT_SUBNET ?? '172.30.0.0/24',
    );
    // the relay as tenants reach it: on the gateway, like the stack's mail sink
    sink = await startSmtpSink(gateway);
    const runtime = {
      image: IMAGE,
      odooSrc: ODOO_SRC,
      addonsPath: process.env.TENANT_ADDONS_PATH ?? '/opt/odoo/addons,/mnt/extra-addons',
      saasAddonsDir: path.join(REPO, 'odoo-addons'),
      network,
      dbHost: process.env.TENANT_DB_HOST || gateway,
      dbPort: Number(process.env.TENANT_DB_PORT ?? 5432),
    };
    const logger = pino({ level: 'silent' });
    const repository = new TenantOdooRepository(db);
    deps = {
      odoo: noMaster,
      proxy: noProxy,
      tenant: repository,
      db,
      docker,
      filestore,
      templates: new TemplateService({
        db,
        docker,
        filestore,
        locks: new FakeLocks(),
        runtime,
        logger,
        templateUser: process.env.PG_TEMPLATE_USER ?? 'saas_template',
        templatePassword: process.env.PG_TEMPLATE_PASSWORD ?? '',
        odooBuild: `it|${await docker.imageId(IMAGE)}|${await addonFingerprint(
          path.join(runtime.saasAddonsDir, 'saas_tenant'),
          ODOO_SRC,
        )}`,
        locales: [{ lang: 'es_ES', country: 'ES' }],
      }),
      // the limits step over the real repository (it also points report.url at the tenant itself)
      limits: {
        apply: (instance, plan) =>
          repository.applyLimits(
            identity.namesOf(instance).db,
            tenantLimitsOf(
              instance,
              plan,
              [plan],
              `http://master.test/my/instances/${instance.id}`,
            ),
          ),
      },
      runtime,
      identity,
      logger,
      publicUrl: { baseDomain: BASE_DOMAIN, scheme: 'http', port: undefined },
      readyTimeoutMs: 180_000,
      mailRelay: {
        host: gateway,
        port: Number(new URL(sink.url).port),
        user: undefined,
        password: undefined,
        encryption: 'none',
      },
      onRunning: () => Promise.resolve(),
    };
    const password = `Cliente-${randomBytes(6).toString('hex')}`;
    const instance = draftInstance({
      id: 801,
      tenantRef: `il${run}`,
      subdomain: `il-${run}`,
      partnerEmail: `ana-${run}@example.com`,
      ...SPAIN,
    });
    const localised = await provision(instance, password);
    spanish = { tenant: localised.tenant, instance, password, ms: localised.ms };
    const english = draftInstance({
      id: 802,
      tenantRef: `ip${run}`,
      subdomain: `ip-${run}`,
      partnerEmail: `john-${run}@example.com`,
      lang: 'en_US',
    });
    const englishPassword = `Customer-${randomBytes(6).toString('hex')}`;
    const provisioned = await provision(english, englishPassword);
    plain = { ...provisioned, instance: english, password: englishPassword };
    logFigure(
      `provisioning (clone + container + set-up) from the es_ES/ES template: ${spanish.ms} ms; from the plain one: ${plain.ms} ms`,
    );
  }, 1_800_000);

  afterAll(async () => {
    await sink?.stop();
    if (!db) return;
    for (const instance of made) {
      const { container, db: name } = identity.namesOf(instance);
      await docker.removeContainer(container);
      await db.dropDatabase(name);
      await db.dropRole(name);
      await rm(path.join(DATA_DIR, name), { recursive: true, force: true });
    }
    await db.close();
  });

  it('speaks Spanish, is a Spanish company in euros with the Spanish chart of accounts', async () => {
    const owner = asOwner();
    const [me] = (await owner.executeKw('res.users', 'search_read', [[['id', '=', 2]]], {
      fields: ['lang', 'tz', 'company_id'],
    })) as { lang: string; tz: string; company_id: [number, string] }[];
    expect(me).toMatchObject({ lang: 'es_ES', tz: 'Europe/Madrid' });
    const [company] = (await owner.executeKw(
      'res.company',
      'read',
      [[me!.company_id[0]], ['country_id', 'currency_id', 'chart_template']],
      {},
    )) as { country_id: [number, string]; currency_id: [number, string]; chart_template: string }[];
    expect(company!.currency_id[1]).toBe('EUR');
    expect(company!.chart_template).toMatch(/^es_/);
    const [country] = (await owner.executeKw(
      'res.country',
      'read',
      [[company!.country_id[0]], ['code']],
      {},
    )) as { code: string }[];
    expect(country!.code).toBe('ES');
    const installed = (await owner.executeKw(
      'ir.module.module',
      'search_read',
      [[['name', 'in', ['l10n_es', 'sale_management']]]],
      { fields: ['name', 'state'] },
    )) as { name: string; state: string }[];
    expect(installed.map((m) => `${m.name}:${m.state}`).sort()).toEqual([
      'l10n_es:installed',
      'sale_management:installed',
    ]);
    logFigure(`Spanish tenant: chart ${company!.chart_template}, ${company!.currency_id[1]}`);
  });

  it('sends a quotation that arrives at the relay, from its own notifications address', async () => {
    const owner = asOwner();
    const customer = `cliente-${run}@example.com`;
    const partnerId = (await owner.executeKw('res.partner', 'create', [
      { name: 'Cliente Uno', email: customer, lang: 'es_ES' },
    ])) as number;
    const productId = (await owner.executeKw('product.product', 'create', [
      { name: 'Consultoría', list_price: 100 },
    ])) as number;
    const orderId = (await owner.executeKw('sale.order', 'create', [
      {
        partner_id: partnerId,
        order_line: [[0, 0, { product_id: productId, product_uom_qty: 2 }]],
      },
    ])) as number;
    // what "Send by email" does: the composer with the quotation's template
    const action = (await owner.executeKw('sale.order', 'action_quotation_send', [[orderId]])) as {
      context: Record<string, unknown>;
    };
    const composerId = (await owner.executeKw('mail.compose.message', 'create', [{}], {
      context: action.context,
    })) as number;
    await owner.executeKw('mail.compose.message', 'action_send_mail', [[composerId]], {
      context: action.context,
    });
    const mail = await waitFor('the quotation at the sink', 60_000, async () =>
      sink.received.find((m) => m.to.includes(customer)),
    );
    const host = identity.namesOf(spanish.instance).host;
    expect(header(mail.raw, 'From')).toContain(`notifications@${host}`);
    const [order] = (await owner.executeKw('sale.order', 'read', [[orderId], ['name']], {})) as {
      name: string;
    }[];
    expect(decoded(mail.raw)).toContain(order!.name);
    // the quotation's PDF, rendered by wkhtmltopdf inside the tenant (under limit_memory_hard)
    const pdf = onePdf(mail.raw);
    // with its styles and images, loaded from the tenant itself (report.url), not its public host
    const log = await docker.logTail(identity.namesOf(spanish.instance).container, 400);
    expect(log).toContain('Will use the Wkhtmltopdf binary');
    expect(log).not.toMatch(/wkhtmltopdf: .*(error|failed)/i);
    logFigure(
      `quotation ${order!.name} arrived at the sink from ${header(mail.raw, 'From')} with ${pdf.filename} (${pdf.content.length} bytes)`,
    );
  });

  it("sends a posted invoice of the quotation's order with its PDF", async () => {
    const owner = asOwner();
    const customer = `factura-${run}@example.com`;
    const partnerId = (await owner.executeKw('res.partner', 'create', [
      { name: 'Cliente Dos', email: customer, lang: 'es_ES' },
    ])) as number;
    const productId = (await owner.executeKw('product.product', 'create', [
      { name: 'Mantenimiento', list_price: 50, invoice_policy: 'order' },
    ])) as number;
    const orderId = (await owner.executeKw('sale.order', 'create', [
      { partner_id: partnerId, order_line: [[0, 0, { product_id: productId }]] },
    ])) as number;
    await owner.executeKw('sale.order', 'action_confirm', [[orderId]]);
    // what "Create invoice" does, then "Confirm" and "Send & Print"
    const ordersContext = { active_model: 'sale.order', active_ids: [orderId], active_id: orderId };
    const wizardId = (await owner.executeKw(
      'sale.advance.payment.inv',
      'create',
      [{ advance_payment_method: 'delivered' }],
      { context: ordersContext },
    )) as number;
    await owner.executeKw('sale.advance.payment.inv', 'create_invoices', [[wizardId]], {
      context: ordersContext,
    });
    const [order] = (await owner.executeKw(
      'sale.order',
      'read',
      [[orderId], ['invoice_ids']],
      {},
    )) as {
      invoice_ids: number[];
    }[];
    const invoiceId = order!.invoice_ids[0]!;
    await owner.executeKw('account.move', 'action_post', [[invoiceId]]);
    const send = (await owner.executeKw('account.move', 'action_send_and_print', [
      [invoiceId],
    ])) as {
      context: Record<string, unknown>;
    };
    // a private customer's invoice: no Facturae XML (for public administrations, signed with the
    // company's certificate); the wizard would make it by default in a Spanish company
    const sendId = (await owner.executeKw(
      'account.move.send',
      'create',
      [{ l10n_es_edi_facturae_checkbox_xml: false }],
      {
        context: send.context,
      },
    )) as number;
    await owner.executeKw('account.move.send', 'action_send_and_print', [[sendId]], {
      context: send.context,
    });
    const mail = await waitFor('the invoice at the sink', 60_000, async () =>
      sink.received.find((m) => m.to.includes(customer)),
    );
    const [invoice] = (await owner.executeKw(
      'account.move',
      'read',
      [[invoiceId], ['name']],
      {},
    )) as {
      name: string;
    }[];
    expect(decoded(mail.raw)).toContain(invoice!.name);
    const pdf = onePdf(mail.raw);
    logFigure(
      `invoice ${invoice!.name} arrived with ${pdf.filename} (${pdf.content.length} bytes)`,
    );
  });
  it("gives a tenant made without an outgoing mail server the relay at reconcile, never over the customer's own", async () => {
    const owner = asOwner(plain);
    const names = identity.namesOf(plain.instance);
    // as a tenant provisioned before the mail work is: no server, no relay recorded
    await inTenantDb(
      names.db,
      `DELETE FROM ir_mail_server;
       DELETE FROM ir_config_parameter WHERE key = 'saas_tenant.mail_server_id';
       SELECT nextval('base_cache_signaling_default');`,
    );
    const conf = path.join(DATA_DIR, names.db, 'odoo.conf');
    await writeFile(conf, (await readFile(conf, 'utf8')).replace(/^email_from = .*\n/m, ''));
    const reconcilePass = () =>
      new TenantMailRelayService({
        servers: db,
        filestore: deps.filestore,
        identity,
        relay: deps.mailRelay!,
        logger: deps.logger,
      }).backfill([{ ...plain.instance, state: 'running', provisionedAt: '2026-12-02' }]);
    // the customer set up their own server: it stays the only one, untouched
    const own = { name: 'Mi servidor', smtp_host: 'smtp.cliente.example', smtp_port: 587 };
    const ownId = (await owner.executeKw('ir.mail_server', 'create', [own])) as number;
    expect(await reconcilePass()).toEqual([]);
    expect(await mailServers(owner)).toEqual([{ id: ownId, from_filter: false, ...own }]);
    // without it, the tenant gets the platform's relay, sending for its own host, and mail leaves
    await owner.executeKw('ir.mail_server', 'unlink', [[ownId]]);
    expect(await reconcilePass()).toEqual([plain.instance.id]);
    const [relay, ...others] = await mailServers(owner);
    expect(others).toEqual([]);
    expect(relay).toMatchObject({
      name: 'Platform mail relay',
      smtp_host: deps.mailRelay!.host,
      smtp_port: deps.mailRelay!.port,
      from_filter: names.host,
    });
    expect(await db.getConfigParameter(names.db, 'saas_tenant.mail_server_id')).toBe(
      String(relay!.id),
    );
    expect(await readFile(conf, 'utf8')).toMatch(
      new RegExp(`^email_from = notifications@${names.host.replaceAll('.', '\\.')}$`, 'm'),
    );
    expect(await reconcilePass()).toEqual([]);
    const to = `backfill-${run}@example.com`;
    const mailId = (await owner.executeKw('mail.mail', 'create', [
      { email_to: to, subject: `Relay ${run}`, body_html: '<p>Hello</p>' },
    ])) as number;
    await owner.executeKw('mail.mail', 'send', [[mailId]]);
    const mail = await waitFor('the mail through the added relay', 60_000, async () =>
      sink.received.find((m) => m.to.includes(to)),
    );
    expect(header(mail.raw, 'Subject')).toBe(`Relay ${run}`);
    logFigure(`tenant without a mail server got relay #${relay!.id}; its mail arrived at the sink`);
  });
});

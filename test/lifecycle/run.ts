/**
 * One instance's whole life on a stack of its own, the lifecycle sweep run over JSON-RPC as of the
 * days that matter: bought (a Spanish-speaking customer) -> reminder with the renewal invoice ->
 * expired -> suspended (the suspended page) -> renewal paid -> running again with its data ->
 * suspended again -> deletion warning -> purged (final backup restorable, nothing else left) -> the
 * same subdomain bought by another customer. Every mail is read from a real SMTP sink.
 *
 *   npm run test:lifecycle        (ODOO_SRC as for scripts/stack; LIFECYCLE_KEEP=1 keeps the stack)
 *
 * Last line: `lifecycle: N steps passed, M failed`; exit code 1 when a step failed.
 */
import path from 'node:path';
import type { MasterRpc as MasterRpcType } from '../e2e/support/master-rpc.js';
import type { ReceivedMail } from '../e2e/mail-sink.js';
import type { LifeInstance } from './master.js';

process.env.STACK_PROFILE = 'lifecycle';
const { E2E, REPO, bridgeUrl, dotenv, logTail, masterUrl, stack } =
  await import('../e2e/support/stack.js');
const { MasterRpc } = await import('../e2e/support/master-rpc.js');
const { MailSink } = await import('../e2e/mail-sink.js');
const { request } = await import('../e2e/http.js');
const { Steps, StepFailed } = await import('../e2e/steps.js');
const { retireTenants } = await import('../e2e/support/retire.js');
const { MasterLife, addDays } = await import('./master.js');
const tenant = await import('./tenant.js');

const STEPS = 12;
const keep = process.env.LIFECYCLE_KEEP === '1';
const started = performance.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const steps = new Steps(path.join(REPO, 'artifacts', 'lifecycle'), STEPS);
const sink = new MailSink(E2E.smtpPort);
const env = dotenv();
const stamp = Date.now().toString(36);
const subdomain = `life${stamp}`;
const host = `${subdomain}.localhost`;
const tenantUrl = `http://${host}:${E2E.caddyPort}`;
const contactName = `Cliente de prueba ${stamp}`;
const spanish = { name: `Lucía Fernández ${stamp}`, email: `lucia-${stamp}@example.com` };
const english = { name: `Jane Doe ${stamp}`, email: `jane-${stamp}@example.com` };
const figures: string[] = [];

let rpc: MasterRpcType | undefined;
let stackStarted = false;
let finishing: Promise<never> | undefined;

/** the first mail to `to` whose subject matches, within 60 s; removed from the sink once read */
async function mailTo(to: string, subject: RegExp, what: string): Promise<ReceivedMail> {
  const mail = await sink.waitFor(
    (m) => m.envelopeTo.includes(to.toLowerCase()) && subject.test(m.subject),
    60_000,
    `${what} to ${to}`,
  );
  sink.messages.splice(sink.messages.indexOf(mail), 1);
  return mail;
}

function welcomeLogin(mail: ReceivedMail, db: string): import('./tenant.js').TenantLogin {
  const body = mail.text || mail.html.replace(/<[^>]+>/g, '\n');
  const field = (labels: string) =>
    new RegExp(`^\\s*(?:${labels})\\s*:\\s*(\\S+)\\s*$`, 'mi').exec(body)?.[1] ?? '';
  const login = field('Login|Usuario');
  const password = field('Temporary password|Contraseña temporal');
  if (!login || !password) throw new Error(`the welcome mail lacks login/password:\n${body}`);
  return { url: tenantUrl, db, login, password };
}

function expect(what: string, actual: unknown, wanted: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(wanted))
    throw new Error(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
}

async function waitState(
  life: InstanceType<typeof MasterLife>,
  id: number,
  state: string,
  timeoutMs = 120_000,
): Promise<LifeInstance> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const instance = await life.instance(id);
    if (instance.state === state) return instance;
    if (instance.state === 'error' || Date.now() > deadline)
      throw new Error(`instance ${id} is ${instance.state}, expected ${state}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<void> {
  await steps.run('stack-up', async () => {
    await sink.start();
    stackStarted = true;
    await stack('up', '--no-mail-sink');
    const ready = await request(`${bridgeUrl}/readyz`);
    if (ready.status !== 200) throw new Error(`bridge /readyz answers ${ready.status}`);
    return `master ${masterUrl} (db ${E2E.masterDb}), bridge ${bridgeUrl}, mail sink :${E2E.smtpPort}`;
  });

  if (!env.MASTER_ADMIN_PASSWORD) throw new Error('MASTER_ADMIN_PASSWORD is missing in .env');
  rpc = new MasterRpc(masterUrl, E2E.masterDb, 'admin', env.MASTER_ADMIN_PASSWORD);
  const life = new MasterLife(rpc);
  let id = 0;
  let login: import('./tenant.js').TenantLogin | undefined;
  let first: LifeInstance | undefined;

  await steps.run('bought', async () => {
    await life.enableSpanish();
    const partner = await life.createCustomer(spanish.name, spanish.email, 'es_ES');
    const t0 = Date.now();
    id = await life.buy(partner, 'basic', subdomain);
    const up = await tenant.waitForAnswer(
      `${tenantUrl}/web/login`,
      'the Odoo login',
      tenant.isOdooLogin,
      180_000,
    );
    const welcome = await mailTo(spanish.email, /^Su Odoo está listo$/, 'the Spanish welcome');
    first = await waitState(life, id, 'running');
    if (!first.db_name || !first.expiration_date) throw new Error('no db_name/expiry');
    login = welcomeLogin(welcome, first.db_name);
    return `instance ${id} ${subdomain}, tenant 200 after ${seconds(up - t0)}, "${welcome.subject}", expires ${first.expiration_date}`;
  });

  await steps.run('contact-created', async () => {
    if (!login) throw new Error('no login from the welcome mail');
    const contact = await tenant.createContact(login, contactName);
    return `contact ${contact} "${contactName}" created as ${login.login}`;
  });

  const expiry = () => {
    if (!first?.expiration_date) throw new Error('no expiry from the purchase');
    return first.expiration_date;
  };
  let renewalId = 0;
  await steps.run('reminder', async () => {
    const day = addDays(expiry(), -7);
    expect(`sweep as of ${day}`, await life.sweep(day, id), ['renewal_invoice', 'reminder']);
    expect(`the same sweep again`, await life.sweep(day, id), []);
    const invoice = await life.renewalInvoice(id, expiry());
    if (!invoice) throw new Error(`no renewal invoice for the period ending ${expiry()}`);
    expect('renewal invoice', [invoice.state, invoice.payment_state], ['posted', 'not_paid']);
    renewalId = invoice.id;
    const mail = await mailTo(spanish.email, /^Su suscripción termina en 7 días$/, 'the reminder');
    const link = /https?:\/\/\S+\/my\/invoices\/(\d+)\?access_token=[\w-]+/.exec(
      mail.text || mail.html,
    );
    if (!link || Number(link[1]) !== invoice.id)
      throw new Error(`the reminder has no pay link to invoice ${invoice.id}:\n${mail.text}`);
    const page = await request(link[0]);
    if (page.status !== 200) throw new Error(`the pay link answers ${page.status}`);
    return `as of ${day}: ${invoice.name} (${invoice.amount_residual}) posted; "${mail.subject}", pay link 200; second sweep did nothing`;
  });

  await steps.run('suspended', async () => {
    const day = addDays(expiry(), 1);
    const t0 = Date.now();
    expect(`sweep as of ${day}`, await life.sweep(day, id), ['suspend']);
    const at = await tenant.waitForAnswer(
      `${tenantUrl}/web/login`,
      'the suspended page',
      tenant.isSuspendedPage,
      60_000,
    );
    figures.push(`suspension (sweep -> suspended page) ${seconds(at - t0)}`);
    await waitState(life, id, 'suspended');
    const mail = await mailTo(spanish.email, /^Su servicio ha sido suspendido$/, 'the suspension');
    if (!(mail.text || mail.html).includes(`/my/invoices/${renewalId}?access_token=`))
      throw new Error(`the suspension mail does not link invoice ${renewalId}:\n${mail.text}`);
    return `as of ${day}: suspended page after ${seconds(at - t0)}; "${mail.subject}" with the pay link`;
  });

  let renewedExpiry = '';
  await steps.run('paid-back', async () => {
    if (!login) throw new Error('no login');
    const t0 = Date.now();
    await life.pay(renewalId);
    const at = await tenant.waitForAnswer(
      `${tenantUrl}/web/login`,
      'the Odoo login again',
      tenant.isOdooLogin,
      120_000,
    );
    figures.push(`reactivation (paid -> tenant 200) ${seconds(at - t0)}`);
    const back = await waitState(life, id, 'running');
    renewedExpiry = back.expiration_date || '';
    if (!(renewedExpiry > expiry()))
      throw new Error(`expiry ${renewedExpiry} not extended past ${expiry()}`);
    const found = await tenant.contactIds(login, contactName);
    if (found.length !== 1) throw new Error(`contact "${contactName}" found ${found.length} times`);
    const mail = await mailTo(
      spanish.email,
      /^Su servicio vuelve a estar activo$/,
      'the back mail',
    );
    return `paid -> 200 in ${seconds(at - t0)}; expires ${renewedExpiry}; contact still there, same login; "${mail.subject}"`;
  });

  let decided = '';
  await steps.run('suspended-again', async () => {
    const day = addDays(renewedExpiry, 1);
    const actions = await life.sweep(day, id);
    if (!actions.includes('suspend')) throw new Error(`sweep as of ${day} did ${actions.join()}`);
    await tenant.waitForAnswer(
      `${tenantUrl}/web/login`,
      'the suspended page',
      tenant.isSuspendedPage,
      60_000,
    );
    const instance = await waitState(life, id, 'suspended');
    decided = instance.suspension_decided_on || '';
    expect('suspension decided on', decided, day);
    const mail = await mailTo(spanish.email, /^Su servicio ha sido suspendido$/, 'the suspension');
    return `as of ${day}: ${actions.join(', ')}; suspended page; "${mail.subject}"`;
  });

  await steps.run('deletion-warning', async () => {
    const early = addDays(decided, 22);
    expect(`sweep as of ${early}`, await life.sweep(early, id), []);
    const day = addDays(decided, 23);
    expect(`sweep as of ${day}`, await life.sweep(day, id), ['deletion_warning']);
    const end = addDays(decided, 30);
    const mail = await mailTo(
      spanish.email,
      new RegExp(`^Su instancia se eliminará el ${end}$`),
      'the deletion warning',
    );
    return `as of ${day}: "${mail.subject}" (nothing as of ${early})`;
  });

  await steps.run('purged', async () => {
    if (!first?.db_name) throw new Error('no db name');
    const day = addDays(decided, 30);
    expect(`sweep as of ${day}`, await life.sweep(day, id), ['terminate']);
    const t0 = Date.now();
    const gone = await waitState(life, id, 'terminated', 180_000);
    if (!gone.purged_at) throw new Error('terminated without purged_at');
    const names = { container: `saas-tenant-${first.tenant_ref}`, db: first.db_name };
    const left = await tenant.leftovers(
      names,
      env.PG_ADMIN_URL ?? '',
      env.TENANT_DATA_DIR ?? '/var/lib/saas/tenants',
    );
    if (left.length) throw new Error(`the purge left ${left.join(', ')}`);
    const page = await request(`${tenantUrl}/web/login`);
    if (tenant.isSuspendedPage(page) || tenant.isOdooLogin(page))
      throw new Error(`${host} still routed after the purge (HTTP ${page.status})`);
    const mail = await mailTo(
      spanish.email,
      /^Su instancia ha sido eliminada$/,
      'the deleted mail',
    );
    return `as of ${day}: purged in ${seconds(Date.now() - t0)}; container, database, role, data dir and route gone; "${mail.subject}"`;
  });

  await steps.run('final-backup-restores', async () => {
    if (!first?.db_name) throw new Error('no db name');
    const records = await life.finalBackups(id);
    if (!records.some((r) => r.state === 'done' && r.snapshot_id))
      throw new Error(`no finished final backup in the master: ${JSON.stringify(records)}`);
    const restored = await tenant.restoreFinalBackup(
      env,
      E2E.backupDir, // the stack's own repositories (STACK_BACKUP_DIR), not .env's
      first.db_name,
      contactName,
    );
    expect(`"${contactName}" in the restored database`, restored.contacts, 1);
    return `snapshot ${restored.snapshot} restored into a scratch database: ${restored.partners} partners, the contact among them`;
  });

  await steps.run('resold', async () => {
    const partner = await life.createCustomer(english.name, english.email, 'en_US');
    const t0 = Date.now();
    const next = await life.buy(partner, 'basic', subdomain);
    const instance = await waitState(life, next, 'running', 180_000);
    expect('subdomain of the new instance', instance.subdomain, subdomain);
    if (instance.tenant_ref === first?.tenant_ref)
      throw new Error('the new instance reuses the ref');
    const up = await tenant.waitForAnswer(
      `${tenantUrl}/web/login`,
      'the new Odoo',
      tenant.isOdooLogin,
      60_000,
    );
    const mail = await mailTo(english.email, /^Your Odoo is ready$/, 'the English welcome');
    const login = welcomeLogin(mail, instance.db_name || '');
    const found = await tenant.contactIds(login, contactName);
    expect('the old contact in the new Odoo', found.length, 0);
    return `instance ${next} on ${subdomain} running after ${seconds(up - t0)}; "${mail.subject}"; none of the old data`;
  });

  await steps.run('no-stray-mails', async () => {
    // the first customer's mails were all read above: anything left is one too many (e.g. twice)
    await new Promise((r) => setTimeout(r, 1_000));
    const stray = sink.messages.filter((m) =>
      [spanish.email, english.email].some((e) => m.envelopeTo.includes(e.toLowerCase())),
    );
    if (stray.length)
      throw new Error(`unexpected mails: ${stray.map((m) => `"${m.subject}"`).join(', ')}`);
    return 'every mail sent was one the life asked for';
  });
}

async function cleanup(): Promise<void> {
  await sink.stop().catch(() => undefined);
  if (keep) {
    console.log(`LIFECYCLE_KEEP=1: the stack keeps running; stop it with:`);
    console.log(`  SAAS_STACK_DIR=${E2E.stackDir} scripts/stack down`);
    return;
  }
  if (rpc) {
    const retired = await retireTenants(rpc, [subdomain]).catch(() => []);
    if (retired.length) console.log(`retired lifecycle tenants: ${retired.join(', ')}`);
  }
  if (stackStarted)
    await stack('down').catch((err: Error) => console.log(`stack down failed: ${err.message}`));
}

function finish(failure: unknown, exitCode = failure ? 1 : 0): Promise<never> {
  finishing ??= (async () => {
    const outside = failure !== undefined && !(failure instanceof StepFailed);
    if (failure) {
      if (outside)
        console.log(`lifecycle: ${failure instanceof Error ? failure.stack : String(failure)}`);
      console.log('\n--- last 40 lines of the bridge log ---');
      console.log(logTail('bridge'));
      console.log('--- last 40 lines of the master log ---');
      console.log(logTail('odoo-master'));
      console.log('---');
    }
    await cleanup();
    const failed = steps.failed + (outside && steps.failed === 0 ? 1 : 0);
    const notRun = STEPS - steps.results.length - (outside && steps.failed === 0 ? 1 : 0);
    for (const figure of figures) console.log(`lifecycle: ${figure}`);
    console.log(`lifecycle: whole run ${seconds(performance.now() - started)}`);
    console.log(
      `lifecycle: ${steps.passed} steps passed, ${failed} failed${notRun > 0 ? ` (${notRun} not run)` : ''}`,
    );
    process.exit(exitCode);
  })();
  return finishing;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (finishing) return;
    console.log(`\nlifecycle: ${signal}: stopping and cleaning up`);
    void finish(new Error(`interrupted by ${signal}`), 130);
  });
}

main().then(
  () => finish(undefined),
  (err: unknown) => finish(err),
);

/**
 * The customer's side of a renewal, after the purchase: the lifecycle sweep runs as of the day after
 * the expiry (the master's admin over JSON-RPC, as the daily cron would that day), the tenant's
 * address shows the suspended page, the customer pays the renewal invoice in the portal with the demo
 * provider, and their Odoo answers again with a contact they had created before.
 */
import { showCard, visibleText } from './browser.js';
import { jsonRpc, pollUntil, request, type HttpAnswer } from './http.js';
import type { Journey } from './journey.js';
import { masterUrl } from './support/stack.js';

interface Renewal {
  contact: string;
  invoiceId: number;
  invoiceName: string;
  suspendedAt: number;
  paidAt: number;
}
const renewals = new WeakMap<Journey, Renewal>();

const isSuspendedPage = (a: HttpAnswer) =>
  a.status === 503 && a.body.includes('Service suspended / Servicio suspendido');

async function tenantExecute<T>(j: Journey, model: string, method: string, args: unknown[]) {
  if (!j.welcome || !j.instance?.db_name) throw new Error('no credentials from the welcome mail');
  const { login, password } = j.welcome;
  const db = j.instance.db_name;
  const uid = await jsonRpc<number | false>(j.tenantUrl, 'common', 'authenticate', [
    db,
    login,
    password,
    {},
  ]);
  if (typeof uid !== 'number') throw new Error(`${login} cannot log into ${db}`);
  return jsonRpc<T>(j.tenantUrl, 'object', 'execute_kw', [db, uid, password, model, method, args]);
}

function renewalOf(j: Journey): Renewal {
  const r = renewals.get(j);
  if (!r) throw new Error('no suspension from the previous step');
  return r;
}

/** a contact made in the tenant, then the sweep as of the day after the expiry: suspended page */
export async function suspendedAtExpiry(j: Journey): Promise<string> {
  if (!j.instance) throw new Error('no instance from the previous steps');
  const contact = `Renewal contact ${Date.now().toString(36)}`;
  await tenantExecute<number>(j, 'res.partner', 'create', [{ name: contact }]);
  const [row] = await j.master.searchRead<{ expiration_date: string | false }>(
    'saas.instance',
    [['id', '=', j.instance.id]],
    ['expiration_date'],
  );
  if (!row?.expiration_date) throw new Error(`instance ${j.instance.id} has no expiry`);
  const day = new Date(`${row.expiration_date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  const asOf = day.toISOString().slice(0, 10);
  const t0 = Date.now();
  await j.master.execute('saas.instance', 'run_lifecycle_sweep', [asOf]);
  // the route changes before the state is written back: watch the address as the customer would
  for (;;) {
    const answer = await request(`${j.tenantUrl}/web/login`).catch(() => undefined);
    if (answer && isSuspendedPage(answer)) break;
    if (Date.now() - t0 > 60_000) throw new Error(`${j.tenantUrl} not suspended within 60 s`);
    await new Promise((r) => setTimeout(r, 150));
  }
  const suspendedAt = Date.now();
  const [invoice] = await j.master.searchRead<{ id: number; name: string; payment_state: string }>(
    'account.move',
    [
      ['saas_renewal_instance_id', '=', j.instance.id],
      ['saas_renewal_period_end', '=', row.expiration_date],
    ],
    ['name', 'payment_state'],
  );
  if (!invoice) throw new Error(`the sweep as of ${asOf} made no renewal invoice`);
  renewals.set(j, {
    contact,
    invoiceId: invoice.id,
    invoiceName: invoice.name,
    suspendedAt,
    paidAt: 0,
  });
  const page = j.steps.show(j.page);
  const response = await page.goto(`${j.tenantUrl}/web/login`);
  if (response?.status() !== 503) throw new Error(`the browser gets ${response?.status()}`);
  await page.getByText('Service suspended / Servicio suspendido').waitFor();
  return `sweep as of ${asOf}: suspended page after ${((suspendedAt - t0) / 1000).toFixed(1)} s; renewal invoice ${invoice.name}`;
}

/** the customer opens the renewal invoice in the portal and pays it with the demo provider */
export async function payRenewalInPortal(j: Journey): Promise<string> {
  const renewal = renewalOf(j);
  const page = j.steps.show(j.page);
  await page.goto(`${masterUrl}/my/invoices/${renewal.invoiceId}`);
  if (new URL(page.url()).pathname !== `/my/invoices/${renewal.invoiceId}`)
    throw new Error(`the invoice page went to ${page.url()} (customer not logged in?)`);
  await page.locator('a[data-bs-target="#pay_with"]').first().click();
  const modal = page.locator('#pay_with');
  await modal.waitFor({ state: 'visible' });
  const demo = modal.locator('input[name="o_payment_radio"][data-provider-code="demo"]');
  if (!(await demo.count())) throw new Error('the demo provider is not offered for the invoice');
  if (!(await demo.first().isChecked())) await demo.first().check({ force: true });
  await modal.locator('#customer_input').fill('4242 4242 4242 4242');
  await modal.locator('#simulated_payment_state').selectOption('done');
  await j.steps.snap(page, 'renewal-pay');
  await Promise.all([
    page.waitForURL((u) => u.pathname !== `/my/invoices/${renewal.invoiceId}` || !!u.search, {
      waitUntil: 'load',
    }),
    modal.locator('button[name="o_payment_submit_button"]').click(),
  ]);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [row] = await j.master.searchRead<{ payment_state: string }>(
      'account.move',
      [['id', '=', renewal.invoiceId]],
      ['payment_state'],
    );
    if (row && ['paid', 'in_payment'].includes(row.payment_state)) break;
    if (Date.now() > deadline)
      throw new Error(`invoice ${renewal.invoiceName} is ${row?.payment_state} after paying`);
    await new Promise((r) => setTimeout(r, 250));
  }
  renewal.paidAt = Date.now();
  const status = await visibleText(page, '.o_payment_status_alert, .oe_website_sale_tx_status');
  return `${renewal.invoiceName} paid in the portal (demo provider)${status ? `: "${status.slice(0, 60)}"` : ''}`;
}

/** the tenant answers again, and the contact from before the suspension is still there */
export async function tenantBackWithData(j: Journey): Promise<string> {
  const renewal = renewalOf(j);
  const { at } = await pollUntil(`${j.tenantUrl}/web/login`, 200, 120_000, 150);
  const found = await tenantExecute<number[]>(j, 'res.partner', 'search', [
    [['name', '=', renewal.contact]],
  ]);
  if (found.length !== 1) throw new Error(`contact "${renewal.contact}" found ${found.length}x`);
  const [row] = await j.master.searchRead<{ state: string; expiration_date: string | false }>(
    'saas.instance',
    [['id', '=', j.instance?.id ?? 0]],
    ['state', 'expiration_date'],
  );
  const mail = await j.sink.waitFor(
    (m) =>
      m.envelopeTo.includes(j.customer.email.toLowerCase()) &&
      /^(Your service is back|Su servicio vuelve a estar activo)$/.test(m.subject),
    60_000,
    `"your service is back" to ${j.customer.email}`,
  );
  const page = j.steps.show(j.viewer);
  const back = ((at - renewal.paidAt) / 1000).toFixed(1);
  await showCard(page, 'Renewed: the tenant is back', [
    ['tenant', j.tenantUrl],
    ['paid -> tenant 200', `${back} s`],
    ['contact kept', renewal.contact],
    ['state / new expiry', `${row?.state} / ${row?.expiration_date}`],
    ['mail', mail.subject],
  ]);
  return `paid -> tenant 200 in ${back} s; "${renewal.contact}" still there; expires ${row?.expiration_date}; "${mail.subject}"`;
}

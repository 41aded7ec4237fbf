/**
 * What a first-time customer does, as the browser does it: shop, sign up, pay, read the mail, open
 * their Odoo, come back to the portal. Each function is one step of run.ts; they share a Journey.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import {
  clickAndWaitFor,
  newVisitor,
  pathOf,
  showCard,
  visibleText,
  waitVisible,
} from './browser.js';
import { jsonRpc, pollUntil, request } from './http.js';
import type { MailSink, ReceivedMail } from './mail-sink.js';
import type { MasterRpc } from './support/master-rpc.js';
import { E2E, masterUrl } from './support/stack.js';
import type { Steps } from './steps.js';
import { welcomeCredentials, type WelcomeCredentials } from './welcome-mail.js';

export interface Customer {
  email: string;
  name: string;
  password: string;
}

export interface Instance {
  id: number;
  state: string;
  url: string | false;
  direct_url: string | false;
  db_name: string | false;
  admin_login: string | false;
}

export type Welcome = WelcomeCredentials;

export function newCustomer(tag: string): Customer {
  const stamp = `${Date.now()}${tag}`;
  return {
    email: `e2e-${stamp}@example.com`,
    name: `E2E Customer ${stamp}`,
    password: `E2e-${randomBytes(9).toString('base64url')}`,
  };
}

/** the product's promise: usable in under 30 s (target), under a minute (success); over the limit fails */
const TARGET_S = 30;
const LIMIT_S = Number(process.env.E2E_LIMIT_SECONDS ?? 60);

export class Journey {
  readonly customer = newCustomer('');
  /** chosen at checkout: `e2e<timestamp base36>` */
  readonly subdomain = `e2e${Date.now().toString(36)}`;
  /** where the customer's Odoo lives, through Caddy */
  readonly tenantUrl = `http://${this.subdomain}.localhost:${E2E.caddyPort}`;
  /** when the confirmation page showed */
  t0 = 0;
  orderName = '';
  tenantReady: Promise<number> | undefined;
  welcomeMail: ReceivedMail | undefined;
  welcome: Welcome | undefined;
  instance: Instance | undefined;

  constructor(
    readonly browser: Browser,
    readonly page: Page,
    readonly viewer: Page,
    readonly steps: Steps,
    readonly sink: MailSink,
    readonly master: MasterRpc,
  ) {}

  // --- 3. buy the Basic plan ----------------------------------------------------------------------

  async purchase(): Promise<string> {
    const page = this.steps.show(this.page);
    await page.goto(`${masterUrl}/shop`);
    const basic = page.locator('.o_wsale_products_item_title a', { hasText: /^\s*Basic\s*$/ });
    await basic.first().waitFor({ state: 'visible' });
    await this.steps.snap(page, 'purchase-1-shop');
    await clickAndWaitFor(
      page,
      basic,
      (u) => u.pathname.startsWith('/shop/') && u.pathname !== '/shop',
    );

    const added = page.waitForResponse((r) => /\/shop\/cart\/update/.test(r.url()) && r.ok());
    await page.locator('#add_to_cart').click();
    await added;
    await page.goto(`${masterUrl}/shop/cart`);
    await page
      .locator('#cart_products, .js_cart_lines')
      .first()
      .getByText('Basic')
      .first()
      .waitFor();
    await this.steps.snap(page, 'purchase-2-cart');

    // checkout: an account is mandatory -> login page -> "Don't have an account?" -> signup
    await clickAndWaitFor(
      page,
      'a[name="website_sale_main_button"]',
      (u) => u.pathname === '/web/login',
    );
    await clickAndWaitFor(page, 'a[href^="/web/signup"]', (u) => u.pathname === '/web/signup');
    await this.signUp(page, this.customer, () => this.steps.snap(page, 'purchase-3-signup'));

    // billing address (a service: no shipping), then on to /shop/payment
    for (let hop = 0; pathOf(page) !== '/shop/payment'; hop++) {
      if (hop > 5) throw new Error(`checkout did not reach /shop/payment (stuck at ${page.url()})`);
      const where = pathOf(page);
      if (where === '/shop/address') {
        await this.fillAddress(page);
      } else if (['/shop/checkout', '/shop/extra_info', '/shop/confirm_order'].includes(where)) {
        await clickAndWaitFor(
          page,
          'a[name="website_sale_main_button"]',
          (u) => u.pathname !== where,
        );
      } else {
        throw new Error(`unexpected page during checkout: ${page.url()}`);
      }
    }

    // the subdomain, chosen and saved before paying
    const input = page.locator('input#saas_subdomain');
    await input.waitFor({ state: 'visible' });
    await input.fill(this.subdomain);
    // leaving the field checks it inline (JSON); wait for that answer before saving, as a reader of the
    // feedback would (two writes of the order at once conflict: see the report of this test)
    const checked = page.waitForResponse((r) => r.url().includes('/shop/saas_subdomain/check'));
    await input.press('Tab');
    const check = (await (await checked).json()) as { result?: { ok: boolean; error: string } };
    if (!check.result?.ok)
      throw new Error(`inline check refuses "${this.subdomain}": ${JSON.stringify(check)}`);
    const inline = await visibleText(page, 'div#saas_subdomain_error');
    if (inline) throw new Error(`subdomain "${this.subdomain}" refused inline: ${inline}`);
    await clickAndWaitFor(
      page,
      'button#saas_subdomain_save',
      (u) => u.pathname === '/shop/payment',
    );
    const error = await visibleText(page, 'div#saas_subdomain_error');
    if (error) throw new Error(`subdomain "${this.subdomain}" refused: ${error}`);
    const saved = await page.locator('input#saas_subdomain').inputValue();
    if (saved !== this.subdomain)
      throw new Error(`subdomain input shows "${saved}" after saving "${this.subdomain}"`);
    const promised = `${this.subdomain}${(await page.locator('#saas_subdomain_suffix').innerText()).trim()}`;
    if (promised !== new URL(this.tenantUrl).host) {
      this.steps.warn(
        `the payment page promises ${promised}, the instance will be at ${new URL(this.tenantUrl).host}`,
      );
    }

    // pay with the demo provider, simulated state "Successful"
    const demo = page.locator('input[name="o_payment_radio"][data-provider-code="demo"]');
    if (!(await demo.count()))
      throw new Error('the demo payment provider is not offered on /shop/payment');
    if (!(await demo.first().isChecked())) await demo.first().check({ force: true });
    await page.locator('#customer_input').waitFor({ state: 'visible' });
    await page.locator('#customer_input').fill('4242 4242 4242 4242');
    await page.locator('#simulated_payment_state').selectOption('done');
    await this.steps.snap(page, 'purchase-5-payment');
    await clickAndWaitFor(
      page,
      'button[name="o_payment_submit_button"]',
      (u) => u.pathname === '/shop/confirmation',
    );
    this.t0 = Date.now();
    this.tenantReady = this.watchTenant();
    this.tenantReady.catch(() => undefined); // awaited by the tenant-up step; never an unhandled rejection

    await page.getByText('Thank you for your order.').waitFor();
    const status = await visibleText(page, '.oe_website_sale_tx_status .card-header');
    if (!/successfully processed/i.test(status))
      throw new Error(`confirmation page shows payment status "${status}"`);
    const orders = await this.master.searchRead<{
      name: string;
      state: string;
      saas_subdomain: string;
    }>(
      'sale.order',
      [['saas_subdomain', '=', this.subdomain]],
      ['name', 'state', 'saas_subdomain'],
    );
    if (orders.length !== 1 || orders[0]?.state !== 'sale') {
      throw new Error(
        `expected one confirmed order for ${this.subdomain}, master has ${JSON.stringify(orders)}`,
      );
    }
    this.orderName = orders[0].name;
    return `${this.customer.email} paid order ${this.orderName}, subdomain ${this.subdomain}`;
  }

  /** starts polling the tenant through Caddy as soon as the order is confirmed; resolves with the time of the first 200 */
  private async watchTenant(): Promise<number> {
    const { at } = await pollUntil(`${this.tenantUrl}/web/login`, 200, 180_000);
    return at;
  }

  /** fills the sign-up form and submits it; `beforeSubmit` sees the filled form (e.g. a screenshot) */
  async signUp(
    page: Page,
    customer: Customer,
    beforeSubmit: () => Promise<unknown> = async () => undefined,
  ): Promise<void> {
    await page.locator('form.oe_signup_form input#login').fill(customer.email);
    await page.locator('form.oe_signup_form input#name').fill(customer.name);
    await page.locator('form.oe_signup_form input#password').fill(customer.password);
    await page.locator('form.oe_signup_form input#confirm_password').fill(customer.password);
    await beforeSubmit();
    await clickAndWaitFor(
      page,
      'form.oe_signup_form button[type="submit"]',
      (u) => u.pathname !== '/web/signup',
    );
    if (pathOf(page) === '/web/signup')
      throw new Error(`signup refused: ${await visibleText(page, '.alert-danger')}`);
  }

  private async fillAddress(page: Page): Promise<void> {
    const form = page.locator('form.checkout_autoformat');
    await form.waitFor();
    const fill = async (name: string, value: string) => {
      const field = form.locator(`[name="${name}"]`);
      if ((await field.count()) && !(await field.inputValue())) await field.fill(value);
    };
    await fill('name', this.customer.name);
    await fill('email', this.customer.email);
    await fill('phone', '+1 212 555 0100');
    await fill('street', '350 Fifth Avenue');
    await fill('city', 'New York');
    await form.locator('select[name="country_id"]').selectOption({ label: 'United States' });
    // the states of the chosen country are loaded by the page's JS
    const state = form.locator('select[name="state_id"]');
    await page.waitForFunction(() => {
      const select = document.querySelector<HTMLSelectElement>(
        'form.checkout_autoformat select[name="state_id"]',
      );
      return !!select && [...select.options].some((o) => o.text.trim() === 'New York');
    });
    await state.selectOption({ label: 'New York' });
    await fill('zip', '10118');
    await this.steps.snap(page, 'purchase-4-address');
    await clickAndWaitFor(
      page,
      'form.checkout_autoformat a.a-submit',
      (u) => u.pathname !== '/shop/address' || u.search.includes('error'),
    );
    if (pathOf(page) === '/shop/address') {
      const errors = await page
        .locator('form.checkout_autoformat .is-invalid')
        .evaluateAll((els) => els.map((e) => e.getAttribute('name')));
      throw new Error(
        `address refused (${await visibleText(page, 'h5.text-danger')}; invalid fields: ${errors.join(', ')})`,
      );
    }
  }

  // --- 4. the welcome mail ----------------------------------------------------------------------------

  async readWelcomeMail(): Promise<string> {
    const mail = await this.sink.waitFor(
      (m) =>
        m.envelopeTo.includes(this.customer.email.toLowerCase()) &&
        /Your Odoo is ready|Su Odoo está listo/.test(m.subject),
      180_000,
      `welcome mail to ${this.customer.email}`,
    );
    this.welcomeMail = mail;
    this.withinPromise('the welcome mail', mail.receivedAt);
    this.welcome = welcomeCredentials(mail);
    const missing = Object.entries(this.welcome)
      .filter(([, v]) => !v)
      .map(([k]) => k);
    if (missing.length)
      throw new Error(`welcome mail lacks ${missing.join(', ')}:\n${mail.text || mail.html}`);
    const viewer = this.steps.show(this.viewer);
    await showCard(
      viewer,
      `Mail received by the sink after ${((mail.receivedAt - this.t0) / 1000).toFixed(1)} s`,
      [
        ['Subject', mail.subject],
        ['From', mail.from],
        ['To', mail.to],
      ],
      `<div class="mail">${mail.html || `<pre>${mail.text}</pre>`}</div>`,
    );
    return `"${mail.subject}" after ${((mail.receivedAt - this.t0) / 1000).toFixed(1)} s: ${this.welcome.url}, login ${this.welcome.login}`;
  }

  private withinPromise(what: string, at: number): void {
    const s = (at - this.t0) / 1000;
    if (s > LIMIT_S)
      throw new Error(
        `${what} came ${s.toFixed(1)} s after the order was confirmed: over the ${LIMIT_S} s limit`,
      );
    if (s > TARGET_S)
      this.steps.warn(
        `${what} came ${s.toFixed(1)} s after the order was confirmed (target ${TARGET_S} s)`,
      );
  }

  // --- 5. the tenant answers ---------------------------------------------------------------------------

  async tenantAnswers(): Promise<string> {
    if (!this.tenantReady || !this.welcome)
      throw new Error('no order/mail from the previous steps');
    const at = await this.tenantReady;
    this.withinPromise('the tenant', at);
    const mailed = this.welcome.url.replace(/\/+$/, '');
    if (mailed !== this.tenantUrl)
      throw new Error(`the mail points to ${mailed}, the chosen subdomain is at ${this.tenantUrl}`);

    const [instance] = await this.master.searchRead<Instance>(
      'saas.instance',
      [['subdomain', '=', this.subdomain]],
      ['state', 'url', 'direct_url', 'db_name', 'admin_login'],
    );
    if (!instance)
      throw new Error(`no saas.instance with subdomain ${this.subdomain} in the master`);
    this.instance = instance;
    if (instance.state !== 'running')
      throw new Error(`instance ${instance.id} is ${instance.state}, expected running`);
    if (!instance.direct_url) throw new Error(`instance ${instance.id} has no direct_url`);
    if (!instance.db_name) throw new Error(`instance ${instance.id} has no db_name`);
    const direct = await request(`${String(instance.direct_url).replace(/\/+$/, '')}/web/login`, {
      timeoutMs: 15_000,
    });
    if (direct.status !== 200)
      throw new Error(`direct URL ${instance.direct_url}/web/login answers ${direct.status}`);

    const page = this.steps.show(this.page);
    const response = await page.goto(`${this.tenantUrl}/web/login`);
    if (response?.status() !== 200)
      throw new Error(`${this.tenantUrl}/web/login answers ${response?.status()} in the browser`);
    await page.locator('form.oe_login_form').waitFor();
    return `200 after ${((at - this.t0) / 1000).toFixed(1)} s via Caddy; direct ${instance.direct_url} 200; db ${instance.db_name}`;
  }

  // --- 6. log into the tenant ----------------------------------------------------------------------------

  async tenantLogin(): Promise<string> {
    if (!this.welcome || !this.instance)
      throw new Error('no credentials/instance from the previous steps');
    const { login, password } = this.welcome;
    const page = this.steps.show(this.page);
    if (pathOf(page) !== '/web/login') await page.goto(`${this.tenantUrl}/web/login`);
    await page.locator('form.oe_login_form input#login').fill(login);
    await page.locator('form.oe_login_form input#password').fill(password);
    await clickAndWaitFor(
      page,
      'form.oe_login_form button[type="submit"]',
      (u) => u.pathname !== '/web/login',
    );
    await this.backendShown(page);

    const uid = await jsonRpc<number | false>(this.tenantUrl, 'common', 'authenticate', [
      this.instance.db_name,
      login,
      password,
      {},
    ]);
    if (typeof uid !== 'number' || uid <= 0)
      throw new Error(
        `JSON-RPC authenticate as ${login} on ${this.instance.db_name} returned ${uid}`,
      );
    return `backend loaded as ${login}; JSON-RPC uid ${uid}`;
  }

  /** the web client is up: navbar, user menu, and the first action (Discuss for a new admin) rendered */
  private async backendShown(page: Page): Promise<void> {
    await waitVisible(page, '.o_main_navbar', 'the navbar', 120_000);
    await waitVisible(page, '.o_main_navbar .o_user_menu', 'the user menu');
    await waitVisible(page, '.o_action_manager > *', 'the first action');
  }

  // --- 7. the customer portal ------------------------------------------------------------------------------

  async portal(): Promise<string> {
    if (!this.instance) throw new Error('no instance from the previous steps');
    const page = this.steps.show(this.page);
    await page.goto(`${masterUrl}/my/instances`);
    if (pathOf(page) !== '/my/instances')
      throw new Error(`/my/instances went to ${page.url()} (customer not logged in?)`);
    const card = page.locator(`.o_saas_instance_card[data-instance-id="${this.instance.id}"]`);
    await card.waitFor({ state: 'visible' });
    const state = await card.locator('.o_saas_state').getAttribute('data-state');
    if (state !== 'running') throw new Error(`the instance card shows state ${state}`);
    const open = card.locator('a.o_saas_open');
    if (!(await open.count())) throw new Error('the instance card has no "Open my Odoo" link');
    const label = (await open.innerText()).trim();
    if (!/Open my Odoo/.test(label)) throw new Error(`the open link reads "${label}"`);
    const href = (await open.getAttribute('href')) ?? '';
    if (href.replace(/\/+$/, '') !== this.tenantUrl)
      throw new Error(`"Open my Odoo" points to ${href}, expected ${this.tenantUrl}`);

    const [popup] = await Promise.all([page.context().waitForEvent('page'), open.click()]);
    await popup.waitForLoadState('load');
    const reached = new URL(popup.url());
    if (reached.host !== new URL(this.tenantUrl).host)
      throw new Error(`"Open my Odoo" led to ${popup.url()}`);
    // the customer is still logged into their Odoo in this browser: the backend shows
    if (new URL(popup.url()).pathname === '/web/login')
      throw new Error('"Open my Odoo" asks the logged-in customer to log in again');
    await this.backendShown(popup);
    await this.steps.snap(popup, 'portal-opened-tenant');
    await popup.close();
    return `card ${this.subdomain} running, "Open my Odoo" -> ${reached.origin}${reached.pathname}`;
  }

  // --- 8. someone else cannot see it -------------------------------------------------------------------------

  async strangerIsKeptOut(): Promise<string> {
    if (!this.instance) throw new Error('no instance from the previous steps');
    const stranger = newCustomer('b');
    // a separate browser profile; closed with the browser at the end (its page is this step's screenshot)
    const { page } = await newVisitor(this.browser);
    this.steps.show(page);
    await page.goto(`${masterUrl}/web/signup`);
    await this.signUp(page, stranger);
    const target = `${masterUrl}/my/instances/${this.instance.id}`;
    const response = await page.goto(target);
    const status = response?.status() ?? 0;
    const landed = new URL(page.url());
    const html = await page.content();
    const leaks = [this.subdomain, this.welcome?.password ?? '\0', 'o_saas_instance_detail'].filter(
      (s) => html.includes(s),
    );
    if (leaks.length)
      throw new Error(
        `a stranger sees instance ${this.instance.id} at ${page.url()} (page contains ${leaks.join(', ')})`,
      );
    const refused =
      status === 403 || status === 404 || landed.pathname !== `/my/instances/${this.instance.id}`;
    if (!refused) throw new Error(`a stranger gets HTTP ${status} at ${target} without a redirect`);
    const list = await page.goto(`${masterUrl}/my/instances`);
    if (list?.status() !== 200 || (await page.locator('.o_saas_instance_card').count()) !== 0) {
      throw new Error(`the stranger's /my/instances lists instances (HTTP ${list?.status()})`);
    }
    await page.goto(target);
    return `${stranger.email} -> HTTP ${status}, ended at ${landed.pathname}; own list empty`;
  }
}

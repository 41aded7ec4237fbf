/**
 * The storefront as a new visitor meets it, in English and in Spanish: home, pricing, how it works
 * (screenshots of each in both languages), the pricing cards checked against the plans' fields, a
 * price edited in the backend showing on the page, and a plan's button leading into the cart.
 * Two steps of run.ts; a visitor of its own, so the customer journey's cart is not touched.
 */
import type { Browser, Page } from 'playwright-core';
import { newVisitor } from './browser.js';
import type { MasterRpc } from './support/master-rpc.js';
import { masterUrl } from './support/stack.js';
import type { Steps } from './steps.js';

interface Plan {
  id: number;
  name: string;
  saas_plan_code: string;
  list_price: number;
  saas_max_users: number;
  saas_storage_mb: number;
  description_sale: string | false;
}

const PAGES = [
  { path: '', name: 'home', en: 'Your own Odoo, online in seconds', es: 'Su propio Odoo' },
  { path: '/pricing', name: 'pricing', en: 'Plans and prices', es: 'Planes y precios' },
  {
    path: '/how-it-works',
    name: 'how-it-works',
    en: 'What happens at renewal?',
    es: '¿Qué ocurre en la renovación?',
  },
] as const;

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

async function plans(master: MasterRpc, lang: string): Promise<Plan[]> {
  return master.execute<Plan[]>(
    'product.template',
    'search_read',
    [
      [
        ['saas_is_plan', '=', true],
        ['is_published', '=', true],
        ['sale_ok', '=', true],
      ],
    ],
    {
      fields: [
        'name',
        'saas_plan_code',
        'list_price',
        'saas_max_users',
        'saas_storage_mb',
        'description_sale',
      ],
      context: { lang },
    },
  );
}

async function cardText(page: Page, code: string, part: string): Promise<string> {
  const card = page.locator(`.o_saas_plan_card[data-plan-code="${code}"]`);
  return squash(await card.locator(`.o_saas_plan_${part}`).first().innerText());
}

/** step: the three pages in both languages, Spanish text (plan descriptions too) on the Spanish ones */
export async function storefrontPages(
  browser: Browser,
  steps: Steps,
  master: MasterRpc,
): Promise<string> {
  // left open: run.ts screenshots the shown page after the step; the browser closes it at the end
  const { page } = await newVisitor(browser);
  steps.show(page);
  for (const lang of ['en', 'es'] as const) {
    if (lang === 'es') {
      // as a visitor switches: the header's language menu, "Español"
      await page.goto(`${masterUrl}/`);
      await page
        .locator('header .js_language_selector button.dropdown-toggle:visible')
        .first()
        .click();
      await Promise.all([
        page.waitForURL((u) => u.pathname.startsWith('/es'), { waitUntil: 'load' }),
        page.locator('header a.js_change_lang[data-url_code="es"]:visible').first().click(),
      ]);
    }
    for (const p of PAGES) {
      await page.goto(`${masterUrl}${lang === 'es' ? '/es' : ''}${p.path || '/'}`);
      const body = squash(await page.locator('#wrap').innerText());
      if (!body.includes(p[lang]))
        throw new Error(`${page.url()} does not say "${p[lang]}": ${body.slice(0, 200)}`);
      if (lang === 'es' && body.includes(p.en))
        throw new Error(`${page.url()} still shows the English "${p.en}"`);
      await steps.snap(page, `storefront-${p.name}-${lang}`);
    }
  }
  // the Spanish descriptions on the pricing page are the plans' own
  await page.goto(`${masterUrl}/es/pricing`);
  const spanish = await plans(master, 'es_ES');
  const english = new Map((await plans(master, 'en_US')).map((p) => [p.id, p.description_sale]));
  for (const plan of spanish) {
    const shown = await cardText(page, plan.saas_plan_code, 'description');
    if (shown !== squash(plan.description_sale || ''))
      throw new Error(`${plan.name}: /es/pricing shows "${shown}", not its Spanish description`);
    if (shown === squash(english.get(plan.id) || ''))
      throw new Error(
        `${plan.name}: the description on /es/pricing is the English one: "${shown}"`,
      );
  }
  return `home, pricing, how it works in en + es (switched in the header; ${spanish.length} plans described in Spanish)`;
}

/** step: the cards equal the plans' fields, a backend price edit shows, a plan's button fills the cart */
export async function pricingIntoCart(
  browser: Browser,
  steps: Steps,
  master: MasterRpc,
): Promise<string> {
  // left open: run.ts screenshots the shown page after the step; the browser closes it at the end
  const { page } = await newVisitor(browser);
  steps.show(page);
  const all = await plans(master, 'en_US');
  if (all.length === 0) throw new Error('no published plan');
  await page.goto(`${masterUrl}/pricing`);
  for (const plan of all) {
    const price = await cardText(page, plan.saas_plan_code, 'price');
    if (!price.includes(plan.list_price.toFixed(2)))
      throw new Error(`${plan.name}: card price "${price}", plan ${plan.list_price}`);
    const users = await cardText(page, plan.saas_plan_code, 'users');
    if (!users.includes(plan.saas_max_users ? String(plan.saas_max_users) : 'Unlimited'))
      throw new Error(`${plan.name}: card says "${users}", plan ${plan.saas_max_users} users`);
    const storage = await cardText(page, plan.saas_plan_code, 'storage');
    const mb = plan.saas_storage_mb;
    if (!storage.includes(mb % 1024 === 0 ? `${mb / 1024} GB` : `${mb} MB`))
      throw new Error(`${plan.name}: card says "${storage}", plan ${mb} MB`);
  }

  // a price edited in the backend is on the page at the next load (and put back right after)
  const [first] = all as [Plan, ...Plan[]];
  const edited = first.list_price + 1.5;
  await master.execute('product.template', 'write', [[first.id], { list_price: edited }]);
  try {
    await page.reload();
    const price = await cardText(page, first.saas_plan_code, 'price');
    if (!price.includes(edited.toFixed(2)))
      throw new Error(`${first.name} priced ${edited} in the backend, the page says "${price}"`);
    await steps.snap(page, 'pricing-edited-price');
  } finally {
    await master.execute('product.template', 'write', [
      [first.id],
      { list_price: first.list_price },
    ]);
  }

  // the last plan's button: into the cart, on to the checkout
  const plan = all[all.length - 1] as Plan;
  await page.reload();
  await Promise.all([
    page.waitForURL((u) => u.pathname !== '/pricing', { waitUntil: 'load' }),
    page
      .locator(`.o_saas_plan_card[data-plan-code="${plan.saas_plan_code}"] .o_saas_plan_buy`)
      .click(),
  ]);
  const landed = new URL(page.url()).pathname;
  if (!['/shop/checkout', '/web/login', '/shop/address'].includes(landed))
    throw new Error(`the ${plan.name} button led to ${page.url()}, not the checkout`);
  await page.goto(`${masterUrl}/shop/cart`);
  const cart = squash(await page.locator('#wrap').innerText());
  if (!cart.includes(plan.name)) throw new Error(`the cart does not hold ${plan.name}: ${cart}`);
  return `${all.length} cards = plan fields, price edit shown, ${plan.name} button -> ${landed} -> cart`;
}

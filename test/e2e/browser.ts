/** Headless Debian Chromium driven by playwright-core, plus small page helpers used by the journey. */
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // run.ts handles the signals: it must still stop the stack (Playwright's own handler exits at once)
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** a fresh visitor: no cookies, English, a laptop-sized window */
export async function newVisitor(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    locale: 'en-US',
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(60_000);
  const page = await context.newPage();
  return { context, page };
}

/** renders a small status card (for steps that have no page of their own) */
export async function showCard(
  page: Page,
  title: string,
  rows: [string, string][],
  html = '',
): Promise<void> {
  const esc = (s: string) =>
    s.replace(
      /[&<>"]/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string,
    );
  const table = rows
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td><code>${esc(v)}</code></td></tr>`)
    .join('');
  await page.setContent(
    `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title>
     <style>body{font:15px system-ui,sans-serif;margin:32px;color:#222}h1{font-size:20px}
     th{text-align:left;padding:4px 16px 4px 0;vertical-align:top;color:#555}code{font-size:14px}
     .mail{border:1px solid #ccc;border-radius:6px;padding:16px;margin-top:16px;max-width:900px}</style>
     <h1>${esc(title)}</h1><table>${table}</table>${html}`,
  );
}

/** clicks and waits for the navigation it causes to reach a URL matching `url` */
export async function clickAndWaitFor(
  page: Page,
  target: string | Locator,
  url: RegExp | ((u: URL) => boolean),
): Promise<void> {
  const locator = typeof target === 'string' ? page.locator(target) : target;
  await Promise.all([page.waitForURL(url, { waitUntil: 'load' }), locator.first().click()]);
}

export function pathOf(page: Page): string {
  return new URL(page.url()).pathname;
}

/** the visible text of an element, or '' when absent/hidden */
export async function visibleText(page: Page, selector: string): Promise<string> {
  const el = page.locator(selector).first();
  if (!(await el.count()) || !(await el.isVisible())) return '';
  return (await el.innerText()).trim();
}

/** waits for a visible element; the error names what was missing */
export async function waitVisible(
  page: Page,
  selector: string,
  what: string,
  timeout = 30_000,
): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(
      `${what} (${selector}) is not shown after ${timeout / 1000} s at ${page.url()}`,
    );
  }
}

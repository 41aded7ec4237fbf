/** A customer's first browser login into their new tenant, from the credentials of the welcome mail. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium, newVisitor } from '../e2e/browser.js';
import { parseMail } from '../e2e/mime.js';
import { welcomeCredentials, type WelcomeCredentials } from '../e2e/welcome-mail.js';

export function credentialsFromMail(mailDir: string, email: string): WelcomeCredentials {
  const needle = email.toLowerCase();
  for (const file of readdirSync(mailDir).sort().reverse()) {
    const raw = readFileSync(path.join(mailDir, file), 'utf8');
    if (!raw.slice(0, 4000).toLowerCase().includes(needle)) continue;
    const found = welcomeCredentials(parseMail(raw));
    if (found.url && found.login && found.password) return found;
  }
  throw new Error(`no welcome mail with credentials for ${email} in ${mailDir}`);
}

/** logs in through the proxy in headless Chromium and waits for the backend to load */
export async function browserLogin(tenantUrl: string, creds: WelcomeCredentials): Promise<void> {
  const browser = await launchChromium();
  try {
    const { page } = await newVisitor(browser);
    await page.goto(`${tenantUrl}/web/login`);
    await page.locator('form.oe_login_form input#login').fill(creds.login);
    await page.locator('form.oe_login_form input#password').fill(creds.password);
    await page.locator('form.oe_login_form button[type="submit"]').click();
    await page.waitForURL((u) => u.pathname !== '/web/login', { timeout: 60_000 });
    await page.locator('.o_main_navbar').waitFor({ timeout: 60_000 });
  } finally {
    await browser.close();
  }
}

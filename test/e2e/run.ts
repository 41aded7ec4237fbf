/**
 * End-to-end purchase, as a first-time customer meets the product: headless Chromium buys the Basic plan
 * on the e2e stack's shop, pays with the demo provider, reads the welcome mail from a real SMTP sink, logs
 * into the new Odoo, checks the portal, and checks that another customer cannot see the instance.
 *
 *   npm run e2e              (E2E_KEEP=1 keeps the stack and the tenant container for a look afterwards)
 *
 * Screenshots: artifacts/e2e/NN-step.png. Over E2E_LIMIT_SECONDS (60) from order to tenant or mail fails.
 * Last lines: one summary line, then `N passed, M failed`.
 */
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { portalBackupDownload, portalRollBack } from './backup-steps.js';
import { launchChromium, newVisitor, showCard } from './browser.js';
import { request } from './http.js';
import { Journey } from './journey.js';
import { MailSink } from './mail-sink.js';
import { MasterRpc } from './support/master-rpc.js';
import { bridgeUrl, dotenv, E2E, logTail, masterUrl, REPO, stack } from './support/stack.js';
import { StepFailed, Steps } from './steps.js';
import {
  duplicateEventCheck,
  killMidProvisioningCheck,
  resilienceTenants,
  rpcClients,
} from './resilience.js';
import { retireTenants } from './support/retire.js';
import { payRenewalInPortal, suspendedAtExpiry, tenantBackWithData } from './renewal-steps.js';
import { pricingIntoCart, storefrontPages } from './storefront-steps.js';
import { refusedDowngrade, upgradeFromPortal } from './plan-change-steps.js';

const STEPS = 19;
const keep = process.env.E2E_KEEP === '1';
const artifacts = path.join(REPO, 'artifacts', 'e2e');
const started = performance.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const steps = new Steps(artifacts, STEPS);
const sink = new MailSink(E2E.smtpPort);
let browser: Browser | undefined;
let journey: Journey | undefined;
let stackStarted = false;
let paid = false;
let finishing: Promise<never> | undefined;
let masterRpc: MasterRpc | undefined;

async function main(): Promise<void> {
  console.log(`e2e: artifacts in ${path.relative(process.cwd(), artifacts) || artifacts}`);
  browser = await launchChromium();
  const { page } = await newVisitor(browser);
  const viewer: Page = (await newVisitor(browser)).page; // status cards and the mail, apart from the customer's tabs

  await steps.run('mail-sink', async () => {
    await sink.start();
    // a self-test through a real SMTP client, with what our mails contain: UTF-8 subject, quoted-printable body
    const subject = 'Su Odoo está listo (prueba del buzón)';
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: E2E.smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: 'e2e@example.com',
      to: 'sink@example.com',
      subject,
      text: 'Contraseña temporal: ñandú-=42',
      html: '<p>Contraseña temporal: <code>ñandú-=42</code></p>',
    });
    transport.close();
    const probe = await sink.waitFor(
      (m) => m.envelopeTo.includes('sink@example.com'),
      10_000,
      'self-test mail',
    );
    if (probe.subject !== subject || !probe.text.includes('ñandú-=42')) {
      throw new Error(`the sink decodes the self-test as "${probe.subject}" / "${probe.text}"`);
    }
    sink.messages.splice(sink.messages.indexOf(probe), 1);
    await showCard(steps.show(viewer), 'SMTP sink', [
      ['listening', `127.0.0.1:${E2E.smtpPort}`],
      ['self-test subject', probe.subject],
      ['self-test body', probe.text],
    ]);
    return `127.0.0.1:${E2E.smtpPort}, self-test mail decoded`;
  });

  await steps.run('stack-up', async () => {
    stackStarted = true;
    await stack('up', '--no-mail-sink');
    const ready = await request(`${bridgeUrl}/readyz`);
    if (ready.status !== 200)
      throw new Error(`bridge /readyz answers ${ready.status}: ${ready.body}`);
    const shop = await request(`${masterUrl}/shop`);
    if (shop.status !== 200) throw new Error(`master /shop answers ${shop.status}`);
    await steps.show(viewer).goto(`${bridgeUrl}/readyz`);
    return `master ${masterUrl} (db ${E2E.masterDb}), bridge ${bridgeUrl} ready, Caddy :${E2E.caddyPort}`;
  });

  const env = dotenv();
  if (!env.MASTER_ADMIN_PASSWORD) throw new Error('MASTER_ADMIN_PASSWORD is missing in .env');
  const master = new MasterRpc(masterUrl, E2E.masterDb, 'admin', env.MASTER_ADMIN_PASSWORD);
  masterRpc = master;
  const j = (journey = new Journey(browser, page, viewer, steps, sink, master));

  await steps.run('storefront', () => storefrontPages(browser as Browser, steps, master));
  await steps.run('pricing-to-cart', () => pricingIntoCart(browser as Browser, steps, master));
  await steps.run('purchase', async () => {
    paid = true; // from here on a tenant container may exist: remove it at the end
    return j.purchase();
  });
  await steps.run('welcome-mail', () => j.readWelcomeMail());
  await steps.run('tenant-up', () => j.tenantAnswers());
  await steps.run('tenant-login', () => j.tenantLogin());
  await steps.run('portal', () => j.portal());
  await steps.run('stranger-kept-out', () => j.strangerIsKeptOut());
  // the renewal, as the customer meets it: suspended at the expiry, paid in the portal, back with the data
  await steps.run('renewal-suspended', () => suspendedAtExpiry(j));
  await steps.run('renewal-paid', () => payRenewalInPortal(j));
  await steps.run('renewal-back', () => tenantBackWithData(j));
  await steps.run('plan-upgrade', () => upgradeFromPortal(j));
  await steps.run('plan-downgrade-refused', () => refusedDowngrade(j));
  await steps.run('portal-backup-download', () => portalBackupDownload(j));
  await steps.run('portal-roll-back', () => portalRollBack(j));

  // what must hold beyond the happy path: no duplicate tenants, nothing lost when the bridge dies
  const { bridge, secret } = rpcClients();
  await steps.run('duplicate-event', async () => {
    const detail = await duplicateEventCheck(master, secret);
    await showCard(steps.show(viewer), 'Same event delivered twice', [['result', detail]]);
    return detail;
  });
  await steps.run('bridge-killed', async () => {
    const detail = await killMidProvisioningCheck(master, bridge);
    await showCard(steps.show(viewer), 'Bridge killed mid-provisioning', [['result', detail]]);
    return detail;
  });
}

async function cleanup(): Promise<void> {
  await browser?.close().catch(() => undefined);
  await sink.stop().catch(() => undefined);
  if (keep) {
    console.log(
      `E2E_KEEP=1: the e2e stack keeps running (shop ${masterUrl}/shop)${journey && paid ? `, tenant ${journey.tenantUrl}` : ''}`,
    );
    console.log(
      `  stop it with: SAAS_STACK_DIR=${E2E.stackDir} scripts/stack down` +
        (journey && paid
          ? ` && /usr/bin/docker rm -f $(/usr/bin/docker ps -aq --filter label=saas.subdomain=${journey.subdomain})`
          : ''),
    );
    return;
  }
  // terminated in the master first, so no later reconcile of the e2e stack brings them back
  if (paid && journey && masterRpc) {
    const subdomains = [journey.subdomain, ...(await resilienceTenants(masterRpc).catch(() => []))];
    const retired = await retireTenants(masterRpc, subdomains);
    console.log(`retired e2e tenants: ${retired.join(', ')}`);
  }
  if (stackStarted)
    await stack('down').catch((err: Error) => console.log(`stack down failed: ${err.message}`));
}

function summary(failure: unknown, tenantAt: number | undefined): void {
  const outside = failure !== undefined && !(failure instanceof StepFailed);
  if (outside) {
    if (failure instanceof Interrupted) console.log(`e2e: ${failure.message}`);
    else
      console.log(
        `e2e: error outside the steps: ${failure instanceof Error ? failure.stack : String(failure)}`,
      );
  }
  const times: string[] = [];
  const t0 = journey?.t0;
  if (t0 && tenantAt) times.push(`tenant 200 in ${seconds(tenantAt - t0)}`);
  if (t0 && journey?.welcomeMail)
    times.push(`mail in ${seconds(journey.welcomeMail.receivedAt - t0)}`);
  // an error outside the steps (or an interruption no step recorded) counts as one failed step
  const extra = outside && steps.failed === 0 ? 1 : 0;
  const notRun = STEPS - steps.results.length - extra;
  const failed = steps.failed + extra;
  for (const warning of steps.warnings) console.log(`e2e: warning: ${warning}`);
  console.log(`e2e: whole run ${seconds(performance.now() - started)}`);
  console.log(
    `e2e: ${steps.passed} steps passed, ${failed} failed${notRun ? ` (${notRun} not run)` : ''}` +
      (times.length ? `; order confirmed -> ${times.join(', -> ')}` : ''),
  );
  console.log(`${steps.passed} passed, ${failed} failed`);
}

class Interrupted extends Error {}

/** reports and cleans up once, whether the journey ended, failed or was interrupted */
function finish(failure: unknown, exitCode = failure ? 1 : 0): Promise<never> {
  finishing ??= (async () => {
    // when the tenant answered (the poll may still run if the journey failed early: do not wait for it)
    const tenantAt = journey?.tenantReady
      ? await Promise.race([
          journey.tenantReady.catch(() => undefined),
          new Promise<undefined>((r) => setTimeout(r, 0)),
        ])
      : undefined;
    if (failure) {
      console.log('\n--- last 40 lines of the bridge log ---');
      console.log(logTail('bridge'));
      console.log('--- last 40 lines of the master log ---');
      console.log(logTail('odoo-master'));
      console.log('---');
    }
    await cleanup();
    summary(failure, tenantAt);
    process.exit(exitCode);
  })();
  return finishing;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (finishing) return; // tsx relays the signal the process group already got: act once
    const step = steps.results.length + 1;
    console.log(`\ne2e: ${signal} during step ${step}/${STEPS}: stopping and cleaning up`);
    void finish(new Interrupted(`interrupted by ${signal} during step ${step}`), 130);
  });
}

main().then(
  () => finish(undefined),
  (err: unknown) => finish(err),
);

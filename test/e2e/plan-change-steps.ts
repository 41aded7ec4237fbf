/**
 * Changing plans in the browser (issue 10): the customer of the journey upgrades Basic to Pro from the
 * portal, pays the pro-rata invoice with the demo provider, and the tenant container's memory limit
 * rises (docker inspect) and Pro's apps are installed in the tenant; then a downgrade that the usage would break is refused and changes nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { clickAndWaitFor, pathOf, visibleText } from './browser.js';
import type { Journey } from './journey.js';
import { masterUrl } from './support/stack.js';
import { asCustomer } from './tenant-rpc.js';

const run = promisify(execFile);

interface PlanState {
  plan_code: string;
  pending_plan_id: [number, string] | false;
  tenant_ref: string;
  expiration_date: string;
}

async function planState(j: Journey): Promise<PlanState> {
  if (!j.instance) throw new Error('no instance from the previous steps');
  const [row] = await j.master.searchRead<PlanState>(
    'saas.instance',
    [['id', '=', j.instance.id]],
    ['plan_code', 'pending_plan_id', 'tenant_ref', 'expiration_date'],
  );
  if (!row) throw new Error(`instance ${j.instance.id} vanished from the master`);
  return row;
}

/** the tenant container's memory limit in MB, as docker inspect reports it */
async function memoryMb(tenantRef: string): Promise<number> {
  const { stdout } = await run('/usr/bin/docker', [
    'inspect',
    '--format',
    '{{.HostConfig.Memory}}',
    `saas-tenant-${tenantRef}`,
  ]);
  return Number(stdout.trim()) / 1024 / 1024;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** the modules Pro's template has and Basic's lacks, as the master's plans list them */
async function newApps(j: Journey): Promise<string[]> {
  const plans = await j.master.searchRead<{ saas_plan_code: string; saas_modules: string | false }>(
    'product.template',
    [['saas_plan_code', 'in', ['basic', 'pro']]],
    ['saas_plan_code', 'saas_modules'],
  );
  const modulesOf = (code: string) =>
    (plans.find((p) => p.saas_plan_code === code)?.saas_modules || '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
  const apps = modulesOf('pro').filter((name) => !modulesOf('basic').includes(name));
  if (apps.length === 0) throw new Error('Pro names no module Basic lacks');
  return apps;
}

/** Basic -> Pro from the portal, paid pro rata with the demo provider; the memory limit rises. */
export async function upgradeFromPortal(j: Journey): Promise<string> {
  if (!j.instance) throw new Error('no instance from the previous steps');
  const before = await planState(j);
  if (before.plan_code !== 'basic') throw new Error(`the instance is on ${before.plan_code}`);
  const memoryBefore = await memoryMb(before.tenant_ref);
  const page = j.steps.show(j.page);
  await page.goto(`${masterUrl}/my/instances/${j.instance.id}`);
  await clickAndWaitFor(page, 'a.o_saas_change_plan', (u) => u.pathname.endsWith('/plan'));
  const pro = page.locator('.o_saas_plan_pro');
  await pro.waitFor({ state: 'visible' });
  await j.steps.snap(page, 'plan-change-1-choices');
  await clickAndWaitFor(page, pro.locator('button.o_saas_choose_plan'), (u) =>
    u.pathname.startsWith('/my/invoices/'),
  );
  const invoicePath = pathOf(page);
  await page.locator('a[data-bs-target="#pay_with"]').first().click();
  const demo = page.locator('input[name="o_payment_radio"][data-provider-code="demo"]');
  await demo.first().waitFor({ state: 'attached' });
  if (!(await demo.first().isChecked())) await demo.first().check({ force: true });
  await page.locator('#customer_input').waitFor({ state: 'visible' });
  await page.locator('#customer_input').fill('4242 4242 4242 4242');
  await page.locator('#simulated_payment_state').selectOption('done');
  await j.steps.snap(page, 'plan-change-2-pay');
  const paidAt = Date.now();
  await clickAndWaitFor(page, 'button[name="o_payment_submit_button"]', (u) =>
    u.pathname.startsWith('/payment/status'),
  );
  const applied = await until('plan Pro in the master', 60_000, async () => {
    const state = await planState(j);
    return state.plan_code === 'pro' ? state : undefined;
  });
  if (applied.expiration_date !== before.expiration_date)
    throw new Error(
      `the pro-rata invoice moved the expiry ${before.expiration_date} -> ${applied.expiration_date}`,
    );
  const memoryAfter = await until('a higher memory limit in docker inspect', 60_000, async () => {
    const mb = await memoryMb(applied.tenant_ref);
    return mb > memoryBefore ? mb : undefined;
  });
  const seconds = ((Date.now() - paidAt) / 1000).toFixed(1);
  const apps = await newApps(j);
  // installing Pro's apps (crm, sale_management...) into the running tenant takes tens of seconds
  await until(`Pro's apps (${apps.join(', ')}) installed in the tenant`, 300_000, async () => {
    const installed = await asCustomer<number>(j, 'ir.module.module', 'search_count', [
      [
        ['name', 'in', apps],
        ['state', '=', 'installed'],
      ],
    ]).catch(() => 0); // the tenant's registry reloads while it installs
    return installed === apps.length ? installed : undefined;
  });
  const appsSeconds = ((Date.now() - paidAt) / 1000).toFixed(1);
  await page.goto(`${masterUrl}/my/instances/${j.instance.id}`);
  const shown = await visibleText(page, '.o_saas_plan');
  if (!/Pro/.test(shown)) throw new Error(`the portal shows plan "${shown}" after the upgrade`);
  return `${invoicePath} paid with demo; plan Pro, expiry kept ${applied.expiration_date}; docker inspect memory ${memoryBefore} -> ${memoryAfter} MB ${seconds} s after paying; ${apps.join(', ')} installed ${appsSeconds} s after paying`;
}

/**
 * Back to Basic while the tenant has more active users than Basic allows (the hourly measurement's
 * figure, written as the bridge would): refused before any invoice, with what to reduce.
 */
export async function refusedDowngrade(j: Journey): Promise<string> {
  if (!j.instance) throw new Error('no instance from the previous steps');
  const before = await planState(j);
  await j.master.execute('saas.instance', 'write', [[j.instance.id], { usage_users: 5 }]);
  const memoryBefore = await memoryMb(before.tenant_ref);
  const page = j.steps.show(j.page);
  await page.goto(`${masterUrl}/my/instances/${j.instance.id}/plan`);
  const basic = page.locator('.o_saas_plan_basic');
  await basic.waitFor({ state: 'visible' });
  await clickAndWaitFor(page, basic.locator('button.o_saas_choose_plan'), (u) =>
    u.pathname.endsWith('/plan'),
  );
  const error = await visibleText(page, '.o_saas_plan_change_error');
  if (!/Archive 2 user/.test(error))
    throw new Error(`the downgrade is not refused with what to reduce: "${error}"`);
  const after = await planState(j);
  if (after.plan_code !== before.plan_code || after.pending_plan_id)
    throw new Error(`the refused downgrade changed the plan: ${JSON.stringify(after)}`);
  const memoryAfter = await memoryMb(after.tenant_ref);
  if (memoryAfter !== memoryBefore)
    throw new Error(`memory changed ${memoryBefore} -> ${memoryAfter} MB on a refused downgrade`);
  await j.master.execute('saas.instance', 'write', [[j.instance.id], { usage_users: 1 }]);
  return `refused: "${error}"; plan ${after.plan_code}, memory ${memoryAfter} MB unchanged`;
}

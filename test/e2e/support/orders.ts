/** Orders placed in the master the way an admin does in the backend, and the tenant they lead to. */
import http from 'node:http';
import type { MasterRpc } from './master-rpc.js';

export interface InstanceRow {
  id: number;
  state: string;
  subdomain: string;
  url: string | false;
  direct_url: string | false;
  db_name: string | false;
  admin_login: string | false;
  last_error: string | false;
}

const INSTANCE_FIELDS = [
  'id',
  'state',
  'subdomain',
  'url',
  'direct_url',
  'db_name',
  'admin_login',
  'last_error',
];

export function uniqueSubdomain(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`.slice(
    0,
    30,
  );
}

/** creates a customer and a draft order for the plan; returns the order id */
export async function draftOrder(
  rpc: MasterRpc,
  planCode: string,
  subdomain: string,
): Promise<number> {
  const [product] = await rpc.searchRead<{ id: number }>(
    'product.product',
    [['saas_plan_code', '=', planCode]],
    ['id'],
  );
  if (!product) throw new Error(`no product for plan ${planCode} in the master`);
  const partnerId = await rpc.execute<number>('res.partner', 'create', [
    {
      name: `Bench ${subdomain}`,
      email: `${subdomain}@example.com`,
      company_name: `Company ${subdomain}`,
    },
  ]);
  return rpc.execute<number>('sale.order', 'create', [
    {
      partner_id: partnerId,
      saas_subdomain: subdomain,
      order_line: [[0, 0, { product_id: product.id, product_uom_qty: 1 }]],
    },
  ]);
}

export async function confirmOrder(rpc: MasterRpc, orderId: number): Promise<void> {
  await rpc.execute('sale.order', 'action_confirm', [[orderId]]);
}

export async function instanceOfOrder(
  rpc: MasterRpc,
  orderId: number,
): Promise<InstanceRow | undefined> {
  const rows = await rpc.searchRead<InstanceRow>(
    'saas.instance',
    [['sale_order_ids', 'in', [orderId]]],
    INSTANCE_FIELDS,
  );
  return rows[0];
}

export async function instancesWithSubdomain(
  rpc: MasterRpc,
  subdomain: string,
): Promise<InstanceRow[]> {
  return rpc.searchRead<InstanceRow>(
    'saas.instance',
    [['subdomain', '=', subdomain]],
    INSTANCE_FIELDS,
  );
}

/** status of GET path on a tenant host through the proxy (Host header; no DNS needed) */
export function statusThroughProxy(
  host: string,
  proxyPort: number,
  path = '/web/login',
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port: proxyPort, path, headers: { host }, timeout: 3_000 },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

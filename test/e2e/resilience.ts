/**
 * Against a running e2e stack: the same event delivered twice gives one instance and one container, and
 * a bridge killed with SIGKILL in the middle of provisioning converges on exactly one working tenant.
 */
import { signBody } from '../../src/http/signature.js';
import { jsonRpc } from './http.js';
import { MasterRpc } from './support/master-rpc.js';
import * as orders from './support/orders.js';
import { E2E, bridgeUrl, docker, dotenv, pidOf, stack } from './support/stack.js';

interface OutboxRow {
  uuid: string;
  payload: string;
  event_type: string;
}

export async function postSigned(secret: string, body: string, base = bridgeUrl): Promise<number> {
  const id = (JSON.parse(body) as { id: string }).id;
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${base}/v1/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-saas-event-id': id,
      'x-saas-timestamp': String(timestamp),
      'x-saas-signature': signBody(secret, timestamp, body),
    },
    body,
  });
  return response.status;
}

/**
 * The master's database uuid: the bridge labels every container of this master's tenants with it,
 * so a tenant of another stack on this machine with the same instance id is not counted.
 */
export async function ownerOf(rpc: MasterRpc): Promise<string> {
  const uuid = await rpc.execute<string>('ir.config_parameter', 'get_param', ['database.uuid']);
  if (!uuid) throw new Error('the master has no database.uuid');
  return uuid;
}

export async function containersOf(
  rpc: MasterRpc,
  instanceId: number,
  all = true,
): Promise<string[]> {
  const out = await docker(
    'ps',
    ...(all ? ['-a'] : []),
    '--filter',
    `label=saas.instance=${instanceId}`,
    '--filter',
    `label=saas.owner=${await ownerOf(rpc)}`,
    '--format',
    '{{.Names}}',
  );
  return out ? out.split('\n') : [];
}

export async function waitRunning(
  rpc: MasterRpc,
  orderId: number,
  timeoutMs: number,
): Promise<orders.InstanceRow> {
  return orders.waitFor('instance running', timeoutMs, async () => {
    const instance = await orders.instanceOfOrder(rpc, orderId);
    if (instance?.state === 'error') throw new Error(`instance failed: ${instance.last_error}`);
    return instance?.state === 'running' ? instance : undefined;
  });
}

/** can the customer log in with what the master holds (as the bridge user reads it) */
async function customerCanLogin(instance: orders.InstanceRow, password: string): Promise<boolean> {
  const uid = await jsonRpc<number | false>(`${instance.direct_url}`, 'common', 'authenticate', [
    instance.db_name,
    instance.admin_login,
    password,
    {},
  ]);
  return typeof uid === 'number' && uid > 0;
}

export async function duplicateEventCheck(rpc: MasterRpc, secret: string): Promise<string> {
  const sub = orders.uniqueSubdomain('dup');
  const orderId = await orders.draftOrder(rpc, 'basic', sub);
  await orders.confirmOrder(rpc, orderId);
  const first = await waitRunning(rpc, orderId, 180_000);
  const [event] = await rpc.searchRead<OutboxRow>(
    'saas.bridge.event',
    [
      ['instance_id', '=', first.id],
      ['event_type', '=', 'order.confirmed'],
    ],
    ['uuid', 'payload', 'event_type'],
  );
  if (!event) throw new Error('no order.confirmed event in the outbox');
  const again = await postSigned(secret, event.payload);
  if (again !== 200)
    throw new Error(`re-delivered event answered ${again}, expected 200 (duplicate)`);
  // the same order confirmed again under a new event id must not make a second tenant either
  const body = JSON.parse(event.payload) as Record<string, unknown>;
  body.id = crypto.randomUUID();
  body.occurred_at = new Date().toISOString();
  const fresh = await postSigned(secret, JSON.stringify(body));
  if (fresh !== 202) throw new Error(`new event id answered ${fresh}, expected 202`);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const instances = await orders.instancesWithSubdomain(rpc, sub);
  const containers = await containersOf(rpc, first.id);
  if (instances.length !== 1 || containers.length !== 1) {
    throw new Error(
      `expected 1 instance and 1 container, got ${instances.length} and ${containers.length}`,
    );
  }
  return `same event twice -> ${instances.length} instance, ${containers.length} container (${sub})`;
}

export async function killMidProvisioningCheck(
  rpc: MasterRpc,
  bridgeRpc: MasterRpc,
): Promise<string> {
  const sub = orders.uniqueSubdomain('kill');
  const orderId = await orders.draftOrder(rpc, 'basic', sub);
  await orders.confirmOrder(rpc, orderId);
  await orders.waitFor('provisioning to start', 60_000, async () => {
    const instance = await orders.instanceOfOrder(rpc, orderId);
    return instance?.state === 'provisioning' ? true : undefined;
  });
  const pid = pidOf('bridge');
  if (!pid) throw new Error('no bridge pid file');
  process.kill(pid, 'SIGKILL');
  const killedAt = Date.now();
  await stack('up', '--no-mail-sink', '--no-setup');
  const instance = await waitRunning(rpc, orderId, 240_000);
  const containers = await containersOf(rpc, instance.id);
  const running = (await containersOf(rpc, instance.id, false)).join(', ');
  const [secret] = await bridgeRpc.searchRead<{ initial_password: string | false }>(
    'saas.instance',
    [['id', '=', instance.id]],
    ['initial_password'],
  );
  const status = await orders.statusThroughProxy(`${sub}.localhost`, E2E.caddyPort);
  const loginOk = secret?.initial_password
    ? await customerCanLogin(instance, secret.initial_password)
    : false;
  if (containers.length !== 1 || !running || status !== 200 || !loginOk) {
    throw new Error(
      `after SIGKILL: ${containers.length} containers (running: ${running || 'none'}), proxy ${status}, login ${loginOk}`,
    );
  }
  return `bridge SIGKILLed mid-provisioning -> 1 running tenant, login works, ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (${sub})`;
}

/** the tenants these checks created, so run.ts can remove them */
export async function resilienceTenants(rpc: MasterRpc): Promise<string[]> {
  const rows = await rpc.searchRead<{ subdomain: string }>(
    'saas.instance',
    ['|', ['subdomain', '=like', 'dup%'], ['subdomain', '=like', 'kill%']],
    ['subdomain'],
  );
  return rows.map((r) => r.subdomain);
}

export function rpcClients(): { admin: MasterRpc; bridge: MasterRpc; secret: string } {
  const env = dotenv();
  const url = `http://127.0.0.1:${E2E.odooPort}`;
  return {
    admin: new MasterRpc(url, E2E.masterDb, 'admin', env.MASTER_ADMIN_PASSWORD ?? ''),
    bridge: new MasterRpc(url, E2E.masterDb, 'saas_bridge', env.ODOO_PASSWORD ?? ''),
    secret: env.BRIDGE_SHARED_SECRET ?? '',
  };
}

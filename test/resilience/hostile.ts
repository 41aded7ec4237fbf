/**
 * Hostile input against the bridge's intake, the checkout's subdomain route and the portal: every
 * case must be a 4xx with a message, queue no job and change nothing.
 */
import http from 'node:http';
import { signBody } from '../../src/http/signature.js';
import { bridgeEventSchema } from '../../src/schemas/event.schema.js';
import type { MasterRpc } from '../e2e/support/master-rpc.js';
import { E2E } from '../e2e/support/stack.js';

const masterUrl = `http://127.0.0.1:${E2E.odooPort}`;

export interface Outcome {
  refused: number;
  failures: string[];
}

const HOSTILE: unknown[] = [
  null,
  '',
  0,
  -1,
  2_147_483_648,
  1.5,
  1e308,
  true,
  [],
  {},
  'x'.repeat(5_000),
  "'; DROP TABLE saas_instance;--",
  '$(touch /tmp/pwned)',
  '`id`',
  '../../../etc/passwd',
  'a\u0000b',
  '\u202eevil',
  '💥',
  'xn--80ak6aa92e',
  '<script>alert(1)</script>',
  '%00',
  '{{7*7}}',
  '${jndi:ldap://127.0.0.1/x}',
];

interface Sent {
  status: number;
  body: string;
}

function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer | 'streamed',
): Promise<Sent> {
  // framed the way a client means it: Node sends a GET's or DELETE's body without a length, so the
  // server reads it as a next request (a 400 on a half-dead socket)
  const framed = { ...headers };
  if (
    body !== undefined &&
    body !== 'streamed' &&
    !Object.keys(framed).some((k) => k.toLowerCase() === 'content-length')
  )
    framed['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve) => {
    const req = http.request(
      // a connection of its own per case: one case's closed socket is not the next case's reset
      {
        host: '127.0.0.1',
        port: E2E.bridgePort,
        method,
        path,
        headers: framed,
        timeout: 5_000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (body !== 'streamed') return void req.end(body);
    // an upload still being written when the answer comes: it must read the 413, not a reset
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const pump = () => {
      while (sent < 32 * 1024 * 1024 && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

function signedHeaders(secret: string, body: string, id: string, skew = 0) {
  const ts = Math.floor(Date.now() / 1000) + skew;
  return {
    'content-type': 'application/json',
    'x-saas-event-id': id,
    'x-saas-timestamp': String(ts),
    'x-saas-signature': signBody(secret, ts, body),
  };
}

/** the cases for POST /v1/events; a case the schema would accept is never sent */
function intakeCases(secret: string, instanceId: number): (() => Promise<Sent>)[] {
  const cases: (() => Promise<Sent>)[] = [];
  const event = (over: Record<string, unknown> = {}) => ({
    id: crypto.randomUUID(),
    type: 'instance.suspend',
    occurred_at: new Date().toISOString(),
    instance_id: instanceId,
    data: { requested_by: 'hostile' },
    ...over,
  });
  const post = (body: string, headers: Record<string, string>) => () =>
    raw('POST', '/v1/events', headers, body);

  // signatures, timestamps, event ids: a valid body around each
  const good = event();
  const text = JSON.stringify(good);
  const h = () => signedHeaders(secret, text, good.id);
  const without = (name: string) => {
    const headers: Record<string, string> = h();
    delete headers[name];
    return headers;
  };
  cases.push(post(text, { 'content-type': 'application/json' }));
  for (const name of ['x-saas-event-id', 'x-saas-timestamp', 'x-saas-signature'])
    cases.push(post(text, without(name)));
  const signatures = [
    signBody('a-wrong-secret-0123456789', Math.floor(Date.now() / 1000), text),
    signBody(secret, Math.floor(Date.now() / 1000), `${text} `),
    h()['x-saas-signature'].slice(0, -2),
    h()['x-saas-signature'].replace('sha256=', 'sha1='),
    h()['x-saas-signature'].replace('sha256=', ''),
    `sha256=${'0'.repeat(64)}`,
    '',
    'sha256=' + 'é'.repeat(64),
  ];
  for (const sig of signatures) cases.push(post(text, { ...h(), 'x-saas-signature': sig }));
  // signed when sent, not when listed: the cases before take seconds, and a skew of 301 s signed
  // early is inside the 300 s window by the time it leaves (CI saw +301 accepted)
  for (const skew of [-301, 301, -86_400, 10 ** 9])
    cases.push(() => raw('POST', '/v1/events', signedHeaders(secret, text, good.id, skew), text));
  for (const ts of ['abc', '1e9', ' 12', '-5', '1700000000.5', '9223372036854775808', '0x10'])
    cases.push(post(text, { ...h(), 'x-saas-timestamp': ts }));
  for (const id of ['../x', 'a b', 'y'.repeat(129), '%00', 'ü', crypto.randomUUID()])
    cases.push(post(text, { ...h(), 'x-saas-event-id': id }));
  // a replay: a signed request whose body was changed in flight
  cases.push(post(text.replace('hostile', 'h0stile'), h()));

  // bodies: each field, and each key of order.confirmed's data, with hostile values (signed)
  const bodies: Record<string, unknown>[] = [];
  for (const field of ['id', 'type', 'occurred_at', 'instance_id', 'data'])
    for (const value of HOSTILE) bodies.push(event({ [field]: value }));
  const order = {
    order_id: 7,
    order_name: 'S00007',
    partner_id: 3,
    plan_code: 'basic',
    subdomain: 'hostile',
  };
  for (const key of ['order_id', 'partner_id', 'subdomain'])
    for (const value of HOSTILE)
      bodies.push(event({ type: 'order.confirmed', data: { ...order, [key]: value } }));
  bodies.push(event({ type: 'order.confirmed', data: { ...order, subdomain: 'a'.repeat(64) } }));
  bodies.push(event({ extra: 'x', instance_id: undefined }));
  for (const body of bodies) {
    if (bridgeEventSchema.safeParse(body).success) continue; // valid: not a hostile case
    const json = JSON.stringify(body);
    const id = typeof body.id === 'string' && /^[\w.-]{1,128}$/.test(body.id) ? body.id : 'x';
    cases.push(() => raw('POST', '/v1/events', signedHeaders(secret, json, id), json));
  }

  // transport: types, sizes, malformed JSON, methods
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'])
    cases.push(post(text, { ...h(), 'content-type': type }));
  for (const junk of ['{', '[]', 'null', '"x"', '['.repeat(10_000), '\u0000', '{"id":1,"id":2}']) {
    const id = crypto.randomUUID();
    cases.push(post(junk, signedHeaders(secret, junk, id)));
  }
  const big = JSON.stringify(event({ data: { requested_by: 'x'.repeat(70_000) } }));
  cases.push(post(big, signedHeaders(secret, big, good.id)));
  cases.push(() =>
    raw('POST', '/v1/events', { ...h(), 'content-length': String(2 ** 30) }, Buffer.alloc(0)),
  );
  cases.push(() =>
    raw('POST', '/v1/events', { ...h(), 'content-length': String(2 ** 30) }, 'streamed'),
  );
  cases.push(post(text, { ...h(), 'content-encoding': 'gzip' }));
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH'])
    cases.push(() => raw(method, '/v1/events', h(), text));
  for (const path of ['/v1/events/..%2f..%2fadmin', '/v1/event', '/v1/events%00', '/admin/queues'])
    cases.push(() => raw('POST', path, h(), text));
  return cases;
}

function refusedWithMessage(sent: Sent): boolean {
  if (sent.status < 400 || sent.status >= 500) return false;
  try {
    const message = (JSON.parse(sent.body) as { error?: { message?: string } }).error?.message;
    return typeof message === 'string' && message.length > 0;
  } catch {
    return false;
  }
}

export async function hostileIntake(secret: string, instanceId: number): Promise<Outcome> {
  const outcome: Outcome = { refused: 0, failures: [] };
  const cases = intakeCases(secret, instanceId);
  for (const [i, send] of cases.entries()) {
    const sent = await send();
    if (refusedWithMessage(sent)) outcome.refused += 1;
    else outcome.failures.push(`intake case ${i}: ${sent.status} ${sent.body.slice(0, 120)}`);
  }
  return outcome;
}

/** a browser-like session on the master: cookies kept, no redirects followed */
class Session {
  private cookie = '';

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${masterUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookie },
    });
    const set = res.headers.get('set-cookie');
    const session = set && /session_id=([^;]+)/.exec(set)?.[1];
    if (session) this.cookie = `session_id=${session}`;
    return res;
  }

  async json(path: string, params: object): Promise<unknown> {
    const res = await this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id: 1 }),
    });
    return ((await res.json()) as { result?: unknown }).result;
  }

  async csrf(path: string): Promise<string> {
    const html = await (await this.fetch(path)).text();
    const token =
      /name="csrf_token" value="([^"]+)"/.exec(html)?.[1] ??
      /csrf_token: "([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error(`no csrf token on ${path}`);
    return token;
  }

  async form(path: string, fields: Record<string, string>): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

const SUBDOMAINS = [
  'admin',
  'www',
  'status',
  'xn--80ak6aa92e',
  'a',
  '-abc',
  'abc-',
  'a_b',
  'a.b',
  'ab\n',
  'ab\u0000c',
  'tëst',
  'пример',
  '💥💥💥',
  ' ab',
  'a'.repeat(64),
  "a'--",
  '<b>x</b>',
  '../x',
  'support',
  'billing',
];

/**
 * A signed-in customer with a billing address and a plan in the cart, on /shop/payment (where the
 * subdomain is chosen): an anonymous visitor's cart stops at the login/address step, and the
 * subdomain routes then answer "no plan" without looking at the input at all.
 */
async function customerAtPayment(admin: MasterRpc, db: string, login: string, password: string) {
  const session = new Session();
  await session.json('/web/session/authenticate', { db, login, password });
  await session.json('/shop/cart/update_json', { product_id: await basicPlan(admin), add_qty: 1 });
  const res = await session.fetch('/shop/payment');
  const html = await res.text();
  if (res.status !== 200 || !html.includes('id="saas_subdomain"'))
    throw new Error(
      `the customer's cart does not reach the payment page: ${res.status} ${res.headers.get('location') ?? ''}`,
    );
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error('no csrf token on /shop/payment');
  return { session, csrf };
}

async function basicPlan(admin: MasterRpc): Promise<number> {
  const [product] = await admin.searchRead<{ id: number }>(
    'product.product',
    [['saas_plan_code', '=', 'basic']],
    ['id'],
  );
  if (!product) throw new Error('no basic plan product');
  return product.id;
}

async function checkoutCustomer(admin: MasterRpc) {
  const [group] = await admin.searchRead<{ res_id: number }>(
    'ir.model.data',
    [
      ['module', '=', 'base'],
      ['name', '=', 'group_portal'],
    ],
    ['res_id'],
  );
  const [country] = await admin.searchRead<{ id: number }>(
    'res.country',
    [['code', '=', 'US']],
    ['id'],
  );
  const [state] = await admin.searchRead<{ id: number }>(
    'res.country.state',
    [
      ['country_id', '=', country?.id ?? 0],
      ['code', '=', 'NY'],
    ],
    ['id'],
  );
  const login = `hostile-buyer-${Date.now()}@example.com`;
  const password = `Buy3r-${crypto.randomUUID()}`;
  const userId = await admin.execute<number>('res.users', 'create', [
    { name: 'Hostile Buyer', login, password, groups_id: [[6, 0, [group?.res_id]]] },
  ]);
  const [user] = await admin.searchRead<{ partner_id: [number, string] }>(
    'res.users',
    [['id', '=', userId]],
    ['partner_id'],
  );
  await admin.execute('res.partner', 'write', [
    [user?.partner_id[0]],
    {
      email: login,
      phone: '+1 212 555 0100',
      street: '350 Fifth Avenue',
      city: 'New York',
      zip: '10118',
      country_id: country?.id,
      state_id: state?.id,
    },
  ]);
  return { login, password };
}

interface CheckoutCase {
  route: 'check' | 'form';
  value: unknown;
}

/**
 * The checkout's subdomain routes, as a signed-in customer on the payment page: the inline check
 * (JSON) must answer ok: false with a message; the form (no JS) a 4xx with a message, or back to
 * the payment page showing the refusal with the payment hidden. No case may make an instance, and
 * a session asking too often is refused (the route tells whether a name is taken).
 */
export async function hostileCheckout(admin: MasterRpc, db: string): Promise<Outcome> {
  const outcome: Outcome = { refused: 0, failures: [] };
  const taken = (
    await admin.searchRead<{ subdomain: string }>(
      'saas.instance',
      [['state', 'in', ['running', 'suspended']]],
      ['subdomain'],
    )
  )
    .slice(0, 2)
    .map((r) => r.subdomain);
  const values = [...SUBDOMAINS, ...taken, ...taken.map((t) => ` ${t.toUpperCase()} `)];
  const cases: CheckoutCase[] = [
    ...values.flatMap((value) => [
      { route: 'check' as const, value },
      { route: 'form' as const, value },
    ]),
    ...[123, null, true, ['abc'], { a: 1 }].map((value) => ({ route: 'check' as const, value })),
  ];
  const instancesBefore = await admin.execute<number>('saas.instance', 'search_count', [[]]);
  const { login, password } = await checkoutCustomer(admin);
  // a session may ask 20 times a minute: a new session (signed in again) every 15 cases
  for (let first = 0; first < cases.length; first += 15) {
    const { session, csrf } = await customerAtPayment(admin, db, login, password);
    for (const c of cases.slice(first, first + 15)) {
      const refusal = await checkoutCase(session, csrf, c);
      if (refusal) outcome.refused += 1;
      else outcome.failures.push(`checkout ${c.route} ${JSON.stringify(c.value)}: not refused`);
    }
  }
  // enumeration: asking on and on in one session is refused within the limit of 20 a minute
  const { session } = await customerAtPayment(admin, db, login, password);
  let limited = false;
  for (let i = 0; i < 25 && !limited; i++) {
    const answer = (await session.json('/shop/saas_subdomain/check', {
      saas_subdomain: `probe${i}x`,
    })) as { error?: string } | undefined;
    limited = /too many/i.test(answer?.error ?? '');
  }
  if (limited) outcome.refused += 1;
  else outcome.failures.push('checkout: 25 checks in a session, none refused as too many');

  const instancesAfter = await admin.execute<number>('saas.instance', 'search_count', [[]]);
  if (instancesAfter !== instancesBefore)
    outcome.failures.push(`checkout: ${instancesAfter - instancesBefore} instances appeared`);
  return outcome;
}

/** true when the route refused the case with a message the customer sees */
async function checkoutCase(session: Session, csrf: string, c: CheckoutCase): Promise<boolean> {
  if (c.route === 'check') {
    const answer = (await session.json('/shop/saas_subdomain/check', {
      saas_subdomain: c.value,
    })) as { ok?: boolean; error?: string } | undefined;
    return answer?.ok === false && (answer.error ?? '').trim().length > 0;
  }
  const res = await session.form('/shop/saas_subdomain', {
    csrf_token: csrf,
    saas_subdomain: String(c.value),
  });
  const text = await res.text();
  if (res.status >= 400 && res.status < 500) return text.trim().length > 0;
  // without JS the typed name stays on the draft cart and the payment page shows the refusal
  if (res.status !== 303 || !/\/shop\/payment$/.test(res.headers.get('location') ?? ''))
    return false;
  const page = await (await session.fetch('/shop/payment')).text();
  const input = /<input[^>]*id="saas_subdomain"[^>]*>/.exec(page)?.[0] ?? '';
  const error = /<div id="saas_subdomain_error"[^>]*>([^<]*)</.exec(page)?.[1] ?? '';
  return input.includes('is-invalid') && error.trim().length > 0;
}

/** a portal customer owning nothing, against other customers' instances */
export async function hostilePortal(
  admin: MasterRpc,
  instanceIds: number[],
  db: string,
): Promise<Outcome> {
  const outcome: Outcome = { refused: 0, failures: [] };
  const [group] = await admin.searchRead<{ res_id: number }>(
    'ir.model.data',
    [
      ['module', '=', 'base'],
      ['name', '=', 'group_portal'],
    ],
    ['res_id'],
  );
  const login = `stranger-${Date.now()}@example.com`;
  const password = `Str4nger-${crypto.randomUUID()}`;
  await admin.execute('res.users', 'create', [
    { name: 'Stranger', login, password, groups_id: [[6, 0, [group?.res_id]]] },
  ]);
  const session = new Session();
  await session.json('/web/session/authenticate', { db, login, password });
  const csrf = await session.csrf('/my/instances');
  const states = async () =>
    JSON.stringify(
      await admin.searchRead('saas.instance', [['id', 'in', instanceIds]], ['state', 'subdomain']),
    );
  const before = await states();
  const tries: [string, string][] = [];
  for (const id of instanceIds) {
    tries.push(['GET', `/my/instances/${id}`]);
    tries.push(['POST', `/my/instances/${id}/cancel`]);
    tries.push(['POST', `/my/instances/${id}/uncancel`]);
    tries.push(['POST', `/my/instances/${id}/backups/1/restore`]);
    tries.push(['GET', `/my/instances/${id}/backups/1/download`]);
  }
  for (const path of ['/my/instances/2147483648', '/my/instances/0', '/my/instances/-1'])
    tries.push(['GET', path]);
  for (const [method, path] of tries) {
    const res =
      method === 'GET' ? await session.fetch(path) : await session.form(path, { csrf_token: csrf });
    const text = await res.text();
    // the portal refuses as Odoo's portal does: back to /my (no page, no detail), or a 4xx
    const toMy =
      [302, 303].includes(res.status) && /\/my\/?$/.test(res.headers.get('location') ?? '');
    if (toMy || (res.status >= 400 && res.status < 500 && text.length > 0)) outcome.refused += 1;
    else
      outcome.failures.push(
        `portal ${method} ${path}: ${res.status} ${res.headers.get('location') ?? ''}`,
      );
  }
  if ((await states()) !== before) outcome.failures.push('an instance changed');
  return outcome;
}

import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooClient, OdooFaultError } from '../../src/adapters/odoo.client.js';
import { BridgeError } from '../../src/errors.js';
import { logFigure, unavailable, withoutOdooSrc } from '../support/integration/availability.js';
import {
  clientOptions,
  probeMasterOdoo,
  startMasterOdoo,
  type MasterOdoo,
} from '../support/integration/master-odoo.js';
import { closeServer, freePort } from '../support/integration/net.js';

const skip = withoutOdooSrc() ?? (await unavailable('master Odoo', probeMasterOdoo));

/** what a rejected call threw, for looking at more than its message */
async function failure(call: Promise<unknown>): Promise<BridgeError> {
  const err: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof BridgeError)) throw new Error(`expected a BridgeError, got ${String(err)}`);
  return err;
}

function clientAt(url: string, timeoutMs = 2_000): OdooClient {
  return new OdooClient({ url, db: 'any', login: 'any', password: 'any', timeoutMs });
}

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** an HTTP server that answers every request with `status` and `body` */
async function answering(status: number, body: string, type = 'application/json') {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': type }).end(body);
  });
  return { server, url: await listen(server) };
}

describe('OdooClient against servers that misbehave', () => {
  const servers: http.Server[] = [];
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await closeServer(server);
    }
  });

  it('gives up after ODOO_TIMEOUT_MS on a server that accepts and never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket.on('error', () => undefined)));
    const url = await listen(silent);
    try {
      const err = await failure(clientAt(url, 300).executeKw('res.partner', 'search', [[]]));

      expect(sockets.length).toBeGreaterThan(0);
      expect(err.code).toBe('odoo_unreachable');
      expect(err.message).toBe(`Odoo at ${url} unreachable: timed out`);
      expect(err.permanent).toBe(false);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await closeServer(silent);
    }
  }, 5_000);

  it('names a refused connection', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const err = await failure(clientAt(url).version());
    expect(err).toMatchObject({ code: 'odoo_unreachable', permanent: false });
    expect(err.message).toBe(`Odoo at ${url} unreachable: ECONNREFUSED`);
  });

  it('says "invalid JSON" when the answer is not JSON', async () => {
    const { server, url } = await answering(200, '<html>502 Bad Gateway</html>', 'text/html');
    servers.push(server);
    const err = await failure(clientAt(url).authenticate());
    expect(err).toMatchObject({ code: 'odoo_bad_answer', permanent: false });
    expect(err.message).toBe(`Odoo at ${url} sent invalid JSON`);
  });

  it('treats an HTTP error status as unreachable, with the status', async () => {
    const { server, url } = await answering(503, '{}');
    servers.push(server);
    const err = await failure(clientAt(url).executeKw('res.partner', 'search', [[]]));
    expect(err).toMatchObject({ code: 'odoo_unreachable', permanent: false });
    expect(err.message).toBe(`Odoo at ${url} answered HTTP 503`);
  });

  it('refuses a version answer without server_version', async () => {
    const { server, url } = await answering(200, '{"jsonrpc":"2.0","id":1,"result":{"x":1}}');
    servers.push(server);
    const err = await failure(clientAt(url).version());
    expect(err).toMatchObject({ code: 'odoo_bad_answer' });
    expect(err.message).toBe(`Odoo at ${url} gave no version`);
  });

  it('keeps a JSON-RPC error without data as an unknown, retryable fault', async () => {
    const body = '{"jsonrpc":"2.0","id":1,"error":{"code":200,"message":"Odoo Server Error"}}';
    const { server, url } = await answering(200, body);
    servers.push(server);
    const err = await failure(clientAt(url).version());
    expect(err).toBeInstanceOf(OdooFaultError);
    expect(err).toMatchObject({ faultName: 'odoo.exceptions.UnknownError', permanent: false });
    expect(err.message).toBe('common.version: Odoo Server Error');
  });
});

describe.skipIf(skip)('OdooClient against a real master Odoo 17', () => {
  let master: MasterOdoo;
  let bridge: OdooClient;
  let bridgeUid: number;

  const client = (password: string, uid?: number) =>
    new OdooClient({
      url: master.url,
      db: master.db,
      login: master.bridge.login,
      password,
      timeoutMs: 30_000,
      uid,
    });

  beforeAll(async () => {
    const t0 = Date.now();
    master = await startMasterOdoo();
    logFigure(`${master.figures} (odoo.client suite set-up ${Date.now() - t0} ms)`);
    bridge = client(master.bridge.apiKey);
    const admin = new OdooClient(clientOptions(master, master.admin));
    const [user] = (await admin.executeKw(
      'res.users',
      'search_read',
      [[['login', '=', master.bridge.login]]],
      { fields: ['id'] },
    )) as { id: number }[];
    bridgeUid = user?.id ?? 0;
  }, 15 * 60_000);

  afterAll(async () => {
    await master?.stop();
  });

  it('reads the server version without credentials', async () => {
    const version = await clientAt(master.url).version();
    expect(version.server_version).toMatch(/^17\.0/);
  });

  it('authenticates the bridge user with its API key and answers its uid', async () => {
    expect(bridgeUid).toBeGreaterThan(2);
    await expect(bridge.authenticate()).resolves.toBe(bridgeUid);
  });

  it('turns a wrong password into a permanent AccessDenied fault naming login and database', async () => {
    const err = await failure(client('not-the-password').authenticate());
    expect(err).toBeInstanceOf(OdooFaultError);
    expect(err).toMatchObject({
      code: 'odoo_fault',
      faultName: 'odoo.exceptions.AccessDenied',
      permanent: true,
    });
    expect(err.message).toBe(
      `Odoo refused login "saas_bridge" on database "${master.db}" at ${master.url}`,
    );
  });

  it('still checks the password on every call when the uid is known', async () => {
    const err = await failure(
      client('not-the-password', bridgeUid).executeKw('res.users', 'read', [[bridgeUid]]),
    );
    expect(err).toMatchObject({ faultName: 'odoo.exceptions.AccessDenied', permanent: true });
    expect(err.message).toMatch(/^object\.execute_kw: /);
  });

  it('calls a model method with args and kwargs', async () => {
    const rows = await bridge.executeKw('res.users', 'read', [[bridgeUid]], {
      fields: ['login', 'share'],
    });
    expect(rows).toEqual([{ id: bridgeUid, login: 'saas_bridge', share: false }]);
    const plans = await bridge.executeKw('product.template', 'search_count', [
      [['saas_is_plan', '=', true]],
    ]);
    expect(plans).toBeGreaterThanOrEqual(3);
  });

  it("maps an unknown model to a permanent fault carrying Odoo's message", async () => {
    const err = await failure(bridge.executeKw('no.such.model', 'search_read', [[]]));
    expect(err).toBeInstanceOf(OdooFaultError);
    expect(err).toMatchObject({
      code: 'odoo_fault',
      faultName: 'odoo.exceptions.UserError',
      permanent: true,
    });
    expect(err.message).toBe("object.execute_kw: Object no.such.model doesn't exist");
  });

  it("maps an unknown method to a fault carrying Odoo's exception class and message", async () => {
    const err = await failure(bridge.executeKw('res.partner', 'no_such_method', [[]]));
    expect(err).toMatchObject({ code: 'odoo_fault', faultName: 'builtins.AttributeError' });
    expect(err.message).toBe(
      "object.execute_kw: The method 'no_such_method' does not exist on the model 'res.partner'",
    );
  });

  it('maps an access right the bridge lacks to a permanent AccessError', async () => {
    const err = await failure(
      bridge.executeKw('saas.instance', 'create', [{ subdomain: 'not-allowed' }]),
    );
    expect(err).toMatchObject({ faultName: 'odoo.exceptions.AccessError', permanent: true });
    expect(err.message).toContain("You are not allowed to create 'SaaS Instance'");
  });

  // last: a password login makes Odoo re-hash the password at 600,000 rounds, which every later
  // call of this user would then pay (see Credentials.apiKey)
  it('authenticates the bridge user with its password too', async () => {
    await expect(client(master.bridge.password).authenticate()).resolves.toBe(bridgeUid);
  });
});

/**
 * A sleeping tenant's route in a real Caddy (CaddyProxyAdapter.routeToWakeHandler): every request
 * reaches the bridge's wake route as /v1/wake, Host kept, with the instance header the proxy sets
 * (a visitor's own value replaced); the bridge's waking page comes back to the visitor as is.
 */
import { access } from 'node:fs/promises';
import http from 'node:http';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaddyProxyAdapter } from '../../src/adapters/caddy-proxy.adapter.js';
import { wakeRoute } from '../../src/http/wake.route.js';
import { unavailable } from '../support/integration/availability.js';
import { CADDY_BIN, startCaddy, type CaddyInstance } from '../support/integration/caddy.js';
import { closeServer, httpGet } from '../support/integration/net.js';

const skip = await unavailable('Caddy', () => access(CADDY_BIN));

let caddy: CaddyInstance;
let proxy: CaddyProxyAdapter;
let bridge: http.Server;
let wakeUpstream: string;
const seen: { path: string; host: string; instance: string | undefined }[] = [];
const woken: number[] = [];

describe.skipIf(skip)('the wake route of a sleeping tenant in a real Caddy', () => {
  beforeAll(async () => {
    caddy = await startCaddy();
    proxy = new CaddyProxyAdapter(caddy.adminUrl, caddy.server);
    const app = express();
    app.use((req, _res, next) => {
      seen.push({
        path: req.originalUrl,
        host: req.hostname,
        instance: req.get('x-saas-wake-instance'),
      });
      next();
    });
    app.use(
      wakeRoute({
        requestWake: async (id) => void woken.push(id),
        logger: pino({ level: 'silent' }),
      }),
    );
    bridge = await new Promise<http.Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    wakeUpstream = `127.0.0.1:${(bridge.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await caddy?.stop();
    if (bridge) await closeServer(bridge);
  });

  it('sends every path of the host to /v1/wake with the instance it names, and shows the page', async () => {
    await proxy.routeToWakeHandler('acme.saas.test', wakeUpstream, 12, { saas_instance: '12' });
    expect(await proxy.hasRoute('acme.saas.test')).toBe(true);
    const answer = await httpGet(`${caddy.httpUrl}/odoo/action-123?debug=1`, 'acme.saas.test');
    expect(answer.status).toBe(503);
    expect(answer.headers['x-saas-waking']).toBe('1');
    expect(answer.body).toContain('Waking up');
    expect(seen.at(-1)).toMatchObject({ host: 'acme.saas.test', instance: '12' });
    expect(seen.at(-1)?.path).toMatch(/^\/v1\/wake(\?|$)/);
    expect(woken).toEqual([12]);
  });

  it("replaces a visitor's own instance header", async () => {
    const answer = await new Promise<number>((resolve, reject) => {
      const url = new URL(caddy.httpUrl);
      const req = http.get(
        {
          host: url.hostname,
          port: url.port,
          path: '/',
          headers: { host: 'acme.saas.test', 'x-saas-wake-instance': '99' },
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
    });
    expect(answer).toBe(503);
    expect(seen.at(-1)?.instance).toBe('12');
    expect(woken).toEqual([12, 12]);
  });

  it('goes back to the tenant when routed to it again', async () => {
    await proxy.routeToUpstream('acme.saas.test', '127.0.0.1:9');
    const route = await fetch(`${caddy.adminUrl}/id/saas-host-acme.saas.test`, {
      headers: { connection: 'close' },
    }).then((r) => r.json() as Promise<{ handle: { handler: string }[] }>);
    expect(route.handle.map((h) => h.handler)).not.toContain('rewrite');
  });
});

import { access } from 'node:fs/promises';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaddyProxyAdapter } from '../../src/adapters/caddy-proxy.adapter.js';
import { unavailable } from '../support/integration/availability.js';
import { CADDY_BIN, startCaddy, type CaddyInstance } from '../support/integration/caddy.js';
import { closeServer, freePort, httpGet, nameServer } from '../support/integration/net.js';

const skip = await unavailable('Caddy', () => access(CADDY_BIN));

let caddy: CaddyInstance;
let proxy: CaddyProxyAdapter;
const upstreams: { server: http.Server; address: string }[] = [];

interface Route {
  '@id'?: string;
  match?: { host: string[] }[];
  handle?: Record<string, unknown>[];
}

async function routes(): Promise<Route[]> {
  // Caddy restarts its admin server on every config change; a pooled connection may be closed
  const res = await fetch(`${caddy.adminUrl}/config/apps/http/servers/${caddy.server}/routes`, {
    headers: { connection: 'close' },
  });
  return (await res.json()) as Route[];
}

const get = (host: string, path = '/') => httpGet(`${caddy.httpUrl}${path}`, host);

describe.skipIf(skip)('CaddyProxyAdapter against a real Caddy', () => {
  beforeAll(async () => {
    caddy = await startCaddy();
    proxy = new CaddyProxyAdapter(caddy.adminUrl, caddy.server);
    upstreams.push(await nameServer('upstream-a'), await nameServer('upstream-b'));
  });

  afterAll(async () => {
    await caddy?.stop();
    for (const { server } of upstreams) await closeServer(server);
  });

  it('pings a Caddy that has the server', async () => {
    await proxy.ping();
    await expect(new CaddyProxyAdapter(caddy.adminUrl, 'other').ping()).rejects.toMatchObject({
      code: 'proxy_failed',
    });
  });

  it('answers unknown hosts with the catch-all 404', async () => {
    const res = await get('nobody.saas.test');
    expect(res.status).toBe(404);
    expect(res.body).toBe('no such site');
  });

  it('routes a host to its upstream', async () => {
    await proxy.routeToUpstream('alpha.saas.test', upstreams[0]?.address ?? '');
    const res = await get('alpha.saas.test', '/web/login');
    expect(res.status).toBe(200);
    expect(res.body).toBe('upstream-a alpha.saas.test /web/login');
    expect((await get('beta.saas.test')).status).toBe(404);
  });

  it('replaces the route of a host in place, without duplicates, before the catch-all', async () => {
    await proxy.routeToUpstream('alpha.saas.test', upstreams[0]?.address ?? '');
    await proxy.routeToUpstream('beta.saas.test', upstreams[0]?.address ?? '');
    await proxy.routeToUpstream('alpha.saas.test', upstreams[1]?.address ?? '');
    expect((await get('alpha.saas.test')).body).toMatch(/^upstream-b /);
    expect((await get('beta.saas.test')).body).toMatch(/^upstream-a /);
    const ids = (await routes()).map((r) => r['@id']);
    expect(ids.filter((id) => id === 'saas-host-alpha.saas.test')).toHaveLength(1);
    expect(ids.filter((id) => id === 'saas-host-beta.saas.test')).toHaveLength(1);
    expect(ids).toHaveLength(3);
    expect(ids.at(-1)).toBeUndefined(); // the catch-all stays last
  });

  it('shows the suspended page with the renew link', async () => {
    const renew = 'https://master.example.com/my/instances/12?renew=1&from=<suspended>';
    await proxy.routeToSuspendedPage('alpha.saas.test', renew);
    const res = await get('alpha.saas.test', '/web');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['retry-after']).toBe('3600');
    expect(res.body).toContain('<h1>Service suspended / Servicio suspendido</h1>');
    expect(res.body).toContain('<b>alpha.saas.test</b>');
    expect(res.body).toContain(
      'href="https://master.example.com/my/instances/12?renew=1&#38;from=&#60;suspended&#62;"',
    );
    expect(res.body).not.toContain('<suspended>');
    expect((await routes()).filter((r) => r['@id'] === 'saas-host-alpha.saas.test')).toHaveLength(
      1,
    );
    await proxy.routeToUpstream('alpha.saas.test', upstreams[0]?.address ?? '');
    expect((await get('alpha.saas.test')).status).toBe(200);
  });

  it('keeps the owner and instance on the route, in the config, without changing what it serves', async () => {
    const labels = { saas_owner: 'master-uuid-1', saas_instance: '12', saas_tenant: 'tq7h2k4m5ab' };
    await proxy.routeToUpstream('delta.saas.test', upstreams[0]?.address ?? '', labels);
    expect((await get('delta.saas.test', '/x')).body).toBe('upstream-a delta.saas.test /x');
    const route = (await routes()).find((r) => r['@id'] === 'saas-host-delta.saas.test');
    expect(route?.handle?.[0]).toEqual({ handler: 'vars', ...labels });
    await proxy.routeToSuspendedPage('delta.saas.test', 'https://master.example.com/renew', labels);
    expect((await get('delta.saas.test')).status).toBe(503);
    const suspended = (await routes()).find((r) => r['@id'] === 'saas-host-delta.saas.test');
    expect(suspended?.handle?.[0]).toEqual({ handler: 'vars', ...labels });
    await proxy.removeRoute('delta.saas.test');
  });

  it('removes a route, after which the host falls to the catch-all', async () => {
    await proxy.routeToUpstream('gamma.saas.test', upstreams[0]?.address ?? '');
    expect((await get('gamma.saas.test')).status).toBe(200);
    await proxy.removeRoute('gamma.saas.test');
    expect((await get('gamma.saas.test')).status).toBe(404);
    expect((await routes()).map((r) => r['@id'])).not.toContain('saas-host-gamma.saas.test');
  });

  it('removes an unknown host without complaint, and without touching the other routes', async () => {
    const before = await routes();
    await expect(proxy.removeRoute('never-routed.saas.test')).resolves.toBeUndefined();
    await expect(proxy.removeRoute('gamma.saas.test')).resolves.toBeUndefined();
    expect(await routes()).toEqual(before);
  });

  it('reports an unreachable admin API as proxy_failed', async () => {
    const down = new CaddyProxyAdapter(`http://127.0.0.1:${await freePort()}`, 'saas');
    await expect(down.ping()).rejects.toMatchObject({ code: 'proxy_failed' });
    await expect(down.routeToUpstream('x.saas.test', '127.0.0.1:1')).rejects.toMatchObject({
      code: 'proxy_failed',
    });
  });

  it("puts a domain check's token route in the server plain HTTP reaches, never counted as the host's route", async () => {
    // like the production Caddyfile: a second server on its own port for plain HTTP
    const plainPort = await freePort();
    const added = await fetch(`${caddy.adminUrl}/config/apps/http/servers/plain`, {
      method: 'PUT',
      headers: { connection: 'close', 'content-type': 'application/json' },
      body: JSON.stringify({
        listen: [`127.0.0.1:${plainPort}`],
        automatic_https: { disable: true },
        routes: [{ handle: [{ handler: 'static_response', status_code: 308 }] }],
      }),
    });
    expect(added.ok).toBe(true);
    const checks = new CaddyProxyAdapter(caddy.adminUrl, caddy.server, 'plain');
    const path = '/.well-known/saas-domain/0123456789abcdef0123456789abcdef';
    await checks.routeChallenge('erp.acme.test', path, 'token-body');
    const res = await httpGet(`http://127.0.0.1:${plainPort}${path}`, 'erp.acme.test');
    expect(res.status).toBe(200);
    expect(res.body).toBe('token-body');
    expect((await httpGet(`http://127.0.0.1:${plainPort}/other`, 'erp.acme.test')).status).toBe(
      308,
    );
    expect(await checks.hasRoute('erp.acme.test')).toBe(false);
    await checks.removeChallenge('erp.acme.test');
    expect((await httpGet(`http://127.0.0.1:${plainPort}${path}`, 'erp.acme.test')).status).toBe(
      308,
    );
    await expect(checks.removeChallenge('erp.acme.test')).resolves.toBeUndefined();
  });
});

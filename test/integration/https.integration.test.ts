/**
 * HTTPS the way the stack serves it (scripts/lib/settings.sh): a real Caddy with its local CA and
 * on-demand certificates, asking the bridge's real /v1/tls/ask route (which asks the same Caddy for
 * the host's route through CaddyProxyAdapter) before it issues one. The client trusts only Caddy's
 * root, fetched from the admin API, so every answer below had a chain that verifies and names the host.
 */
import { access } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaddyProxyAdapter } from '../../src/adapters/caddy-proxy.adapter.js';
import { errorHandler } from '../../src/http/error-handler.js';
import { tlsAskRoute } from '../../src/http/tls-ask.route.js';
import { TlsAskService } from '../../src/services/tls-ask.service.js';
import { unavailable } from '../support/integration/availability.js';
import {
  CADDY_BIN,
  caddyRootCertificate,
  startCaddy,
  type CaddyInstance,
} from '../support/integration/caddy.js';
import { closeServer, httpGet, httpsGet } from '../support/integration/net.js';

const skip = await unavailable('Caddy', () => access(CADDY_BIN));

const SUBDOMAIN_HOST = 'acme-it.localhost';
const CUSTOM_HOST = 'erp-acme-it.localhost';

let caddy: CaddyInstance;
let proxy: CaddyProxyAdapter;
let root: string;
let askServer: http.Server;
let upstream: http.Server;
let upstreamAddress: string;
const asked: { domain: string; status: number }[] = [];

function port(): number {
  if (!caddy.httpsPort) throw new Error('Caddy has no HTTPS listener');
  return caddy.httpsPort;
}

describe.skipIf(skip)('HTTPS through Caddy with its local CA and the bridge ask endpoint', () => {
  beforeAll(async () => {
    // an upstream that sets a session cookie like Odoo: without Secure
    upstream = http.createServer((req, res) => {
      res.setHeader('set-cookie', 'session_id=abc123; Path=/; HttpOnly');
      res.setHeader('content-type', 'text/plain');
      res.end(`tenant ${req.headers.host ?? ''} ${req.headers['x-forwarded-proto'] ?? ''}`);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamAddress = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;

    const app = express();
    app.use((req, res, next) => {
      res.on('finish', () =>
        asked.push({ domain: String(req.query.domain ?? ''), status: res.statusCode }),
      );
      next();
    });
    // Caddy needs the ask URL before it starts and the adapter needs Caddy: the service reads it late
    app.use(
      tlsAskRoute(new TlsAskService({ hasRoute: (host) => proxy.hasRoute(host) }, 'localhost')),
    );
    app.use(errorHandler(pino({ level: 'silent' })));
    askServer = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => askServer.once('listening', resolve));
    const askUrl = `http://127.0.0.1:${(askServer.address() as AddressInfo).port}/v1/tls/ask`;

    caddy = await startCaddy('saas', { https: { askUrl } });
    proxy = new CaddyProxyAdapter(caddy.adminUrl, caddy.server);
    root = await caddyRootCertificate(caddy.adminUrl);
    await proxy.routeToUpstream(SUBDOMAIN_HOST, upstreamAddress, { saas_instance: '7' });
    await proxy.routeToUpstream(CUSTOM_HOST, upstreamAddress, { saas_instance: '7' });
  });

  afterAll(async () => {
    await caddy?.stop();
    if (askServer) await closeServer(askServer);
    if (upstream) await closeServer(upstream);
  });

  it('serves a tenant at its subdomain over HTTPS with a certificate of the local CA', async () => {
    const res = await httpsGet(SUBDOMAIN_HOST, port(), '/web/login', root);
    expect(res.status).toBe(200);
    expect(res.body).toBe(`tenant ${SUBDOMAIN_HOST}:${port()} https`);
    expect(res.certificateNames).toBe(`DNS:${SUBDOMAIN_HOST}`);
    expect(res.issuer).toMatch(/^Caddy Local Authority/);
    expect(asked).toContainEqual({ domain: SUBDOMAIN_HOST, status: 200 });
  });

  it('serves the same tenant at its custom domain, with a certificate of its own', async () => {
    const res = await httpsGet(CUSTOM_HOST, port(), '/', root);
    expect(res.status).toBe(200);
    expect(res.body).toBe(`tenant ${CUSTOM_HOST}:${port()} https`);
    expect(res.certificateNames).toBe(`DNS:${CUSTOM_HOST}`);
  });

  it("marks the tenant's session cookie Secure over HTTPS, and only there", async () => {
    const tls = await httpsGet(SUBDOMAIN_HOST, port(), '/', root);
    expect(tls.headers['set-cookie']).toEqual(['session_id=abc123; Path=/; HttpOnly; Secure']);
    const plain = await httpGet(`${caddy.httpUrl}/`, SUBDOMAIN_HOST);
    expect(plain.status).toBe(200);
    expect(plain.headers['set-cookie']).toEqual(['session_id=abc123; Path=/; HttpOnly']);
  });

  it('gets no certificate for a domain of no instance: the ask endpoint refuses it', async () => {
    await expect(httpsGet('nobody-it.localhost', port(), '/', root)).rejects.toThrow();
    expect(asked).toContainEqual({ domain: 'nobody-it.localhost', status: 404 });
    expect(asked.filter((a) => a.status === 200).map((a) => a.domain)).not.toContain(
      'nobody-it.localhost',
    );
  });

  it('is trusted only through the root: without it the chain does not verify', async () => {
    await expect(httpsGet(SUBDOMAIN_HOST, port(), '/', '')).rejects.toThrow(
      /self[- ]signed|unable to (get|verify)|certificate/i,
    );
  });

  it('shows the suspended page over HTTPS at the custom domain, then removes it', async () => {
    await proxy.routeToSuspendedPage(CUSTOM_HOST, 'https://localhost/my/instances/7');
    const res = await httpsGet(CUSTOM_HOST, port(), '/web', root);
    expect(res.status).toBe(503);
    expect(res.body).toContain(`<b>${CUSTOM_HOST}</b>`);
    await proxy.removeRoute(CUSTOM_HOST);
    expect(await proxy.hasRoute(CUSTOM_HOST)).toBe(false);
    expect((await httpsGet(CUSTOM_HOST, port(), '/', root)).status).toBe(404);
    expect(await proxy.hasRoute(SUBDOMAIN_HOST)).toBe(true);
  });
});

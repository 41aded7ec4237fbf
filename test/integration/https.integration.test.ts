/**
 * HTTPS the way the stack serves it (scripts/lib/settings.sh): a real Caddy with its local CA and
 * on-demand certificates, asking the bridge's real /v1/tls/ask route (which asks the same Caddy for
 * the host's route through CaddyProxyAdapter) before it issues one. The client trusts only Caddy's
 * root, fetched from the admin API, so every answer below had a chain that verifies and names the host.
 */
import { access } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaddyProxyAdapter } from '../../src/adapters/caddy-proxy.adapter.js';
import { DomainProbeAdapter } from '../../src/adapters/domain-probe.adapter.js';
import { CustomDomainService } from '../../src/services/custom-domain.service.js';
import { TenantIdentity } from '../../src/services/tenant-identity.js';
import { FakeDomainRecords } from '../support/fakes/fake-domain-probe.js';
import { unavailable } from '../support/integration/availability.js';
import { CADDY_BIN, type CaddyInstance } from '../support/integration/caddy.js';
import { startHttpsEdge, type HttpsEdge } from '../support/integration/https-edge.js';
import { closeServer, httpGet, httpsGet } from '../support/integration/net.js';
import { draftInstance } from '../support/world.js';

const skip = await unavailable('Caddy', () => access(CADDY_BIN));

const SUBDOMAIN_HOST = 'acme-it.localhost';
const CUSTOM_HOST = 'erp-acme-it.localhost';

let edge: HttpsEdge;
let caddy: CaddyInstance;
let proxy: CaddyProxyAdapter;
let root: string;
let upstream: http.Server;
let upstreamAddress: string;
let asked: HttpsEdge['asked'];

function port(): number {
  return edge.httpsPort;
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

    edge = await startHttpsEdge();
    ({ caddy, proxy, root, asked } = edge);
    await proxy.routeToUpstream(SUBDOMAIN_HOST, upstreamAddress, { saas_instance: '7' });
    await proxy.routeToUpstream(CUSTOM_HOST, upstreamAddress, { saas_instance: '7' });
  });

  afterAll(async () => {
    await edge?.stop();
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

  it('verifies a custom domain through its DNS and this Caddy, then serves it over HTTPS', async () => {
    // suspended: its domain shows the suspended page, so no container is needed here
    const instance = draftInstance({ id: 9, subdomain: 'acme-it', state: 'suspended' });
    const records = new FakeDomainRecords();
    const baseUrls = new Map<string, string>();
    const service = (checkPort: number) =>
      new CustomDomainService({
        odoo: { getInstance: async () => instance, updateInstance: async () => undefined },
        domains: records,
        proxy,
        docker: { findContainer: async () => undefined },
        tenant: { setBaseUrl: async (db, url) => void baseUrls.set(db, url) },
        probe: new DomainProbeAdapter(),
        identity: new TenantIdentity({ owner: 'it', baseDomain: 'localhost', bridgeSecret: 'x' }),
        publicUrl: { scheme: 'https', port: port() },
        checkPort,
        renewUrl: (id) => `https://localhost/my/instances/${id}`,
      });
    const domain = 'shop-acme-it.localhost';
    const token = 'f'.repeat(32);
    const checked = service(Number(new URL(caddy.httpUrl).port));
    expect(await checked.verify(9, { domainId: 3, domain, token })).toBe('verified');
    expect(records.reports).toEqual([{ domainId: 3, outcome: { verified: true } }]);
    expect([...baseUrls.values()]).toEqual([`https://${domain}:${port()}`]);
    const res = await httpsGet(domain, port(), '/web', root);
    expect(res.status).toBe(503);
    expect(res.body).toContain(`<b>${domain}</b>`);
    expect(res.certificateNames).toBe(`DNS:${domain}`);
    // the token route lived only during the check
    const after = await httpGet(`${caddy.httpUrl}/.well-known/saas-domain/${token}`, domain);
    expect(after.body).not.toBe(token);

    // a name whose address answers, but not with our token, points elsewhere: no route, no certificate
    const other = 'other-acme-it.localhost';
    const elsewhere = service(Number(upstreamAddress.split(':')[1]));
    expect(await elsewhere.verify(9, { domainId: 4, domain: other, token })).toBe(
      'not verified: elsewhere',
    );
    expect(records.reports[1]).toEqual({
      domainId: 4,
      outcome: { verified: false, problem: 'elsewhere', detail: '127.0.0.1' },
    });
    await expect(httpsGet(other, port(), '/', root)).rejects.toThrow();
    expect(asked).toContainEqual({ domain: other, status: 404 });

    expect(await checked.remove(9, domain, true)).toBe('removed');
    expect(await proxy.hasRoute(domain)).toBe(false);
  });
});

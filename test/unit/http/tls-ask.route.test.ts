import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../../src/http/error-handler.js';
import { tlsAskRoute } from '../../../src/http/tls-ask.route.js';
import { TlsAskService } from '../../../src/services/tls-ask.service.js';
import { FakeProxy } from '../../support/fakes/fake-proxy.js';

async function setup() {
  const proxy = new FakeProxy();
  await proxy.routeToUpstream('acme.saas.example.com', '172.30.0.5:8069');
  await proxy.routeToUpstream('erp.acme.com', '172.30.0.5:8069');
  await proxy.routeToSuspendedPage('late.saas.example.com', 'https://saas.example.com/my');
  const app = express();
  app.use(tlsAskRoute(new TlsAskService(proxy, 'saas.example.com')));
  app.use(errorHandler(pino({ level: 'silent' })));
  return { app, proxy };
}

const ask = (app: express.Express, domain: string) =>
  request(app).get('/v1/tls/ask').query({ domain });

describe('GET /v1/tls/ask (Caddy on-demand TLS)', () => {
  it("allows the master's names and every routed host, a suspended one included", async () => {
    const { app } = await setup();
    for (const domain of [
      'saas.example.com',
      'www.saas.example.com',
      'acme.saas.example.com',
      'ERP.Acme.com',
      'late.saas.example.com',
    ]) {
      const res = await ask(app, domain);
      expect(res.status, domain).toBe(200);
      expect(res.body).toEqual({ domain: domain.toLowerCase(), allowed: true });
    }
  });

  it('refuses a domain of no instance, and one whose route was removed', async () => {
    const { app, proxy } = await setup();
    const res = await ask(app, 'attacker.example.net');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('no instance is served at attacker.example.net');
    expect((await ask(app, 'other.saas.example.com')).status).toBe(404);
    await proxy.removeRoute('erp.acme.com');
    expect((await ask(app, 'erp.acme.com')).status).toBe(404);
  });

  it('refuses what is not a host name, without asking the proxy', async () => {
    const { app } = await setup();
    for (const domain of ['', 'a..b', '-x.example.com', 'x.example.com/path', 'a b.com', 'é.com']) {
      const res = await ask(app, domain);
      expect(res.status, domain).toBe(400);
    }
    expect((await request(app).get('/v1/tls/ask')).status).toBe(400);
    expect((await request(app).get('/v1/tls/ask?domain=a.com&domain=b.com')).status).toBe(400);
  });
});

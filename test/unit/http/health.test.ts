import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { checkReadiness } from '../../../src/http/readiness.js';
import type { ReadinessCheck } from '../../../src/ports/intake.port.js';
import { buildApp } from './app-fixture.js';

const ok = (name: string): ReadinessCheck => ({ name, check: async () => {} });
const failing = (name: string, message: string): ReadinessCheck => ({
  name,
  check: async () => {
    throw new Error(message);
  },
});

describe('GET /healthz', () => {
  it('answers ok while the process is alive', async () => {
    const { app } = buildApp({ readiness: [failing('redis', 'down')] });
    const res = await request(app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('GET /readyz', () => {
  it('is ready when every check passes', async () => {
    const { app } = buildApp({ readiness: [ok('redis'), ok('docker'), ok('odoo')] });
    const res = await request(app).get('/readyz').expect(200);
    expect(res.body).toEqual({
      status: 'ready',
      checks: { redis: 'ok', docker: 'ok', odoo: 'ok' },
    });
  });

  it('answers 503 naming the failing check and its reason', async () => {
    const { app } = buildApp({
      readiness: [ok('redis'), failing('odoo', 'connect ECONNREFUSED 127.0.0.1:8069')],
    });
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body).toEqual({
      status: 'unavailable',
      checks: { redis: 'ok', odoo: 'connect ECONNREFUSED 127.0.0.1:8069' },
    });
  });
});

describe('checkReadiness', () => {
  it('fails a hung check after the timeout and runs checks in parallel', async () => {
    const hung: ReadinessCheck = { name: 'docker', check: () => new Promise(() => {}) };
    const started = Date.now();
    const report = await checkReadiness([hung, { ...hung, name: 'odoo' }, ok('redis')], 100);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report).toEqual({
      ready: false,
      checks: { docker: 'timed out after 100 ms', odoo: 'timed out after 100 ms', redis: 'ok' },
    });
  });

  it('turns a synchronous throw into a failed check', async () => {
    const sync: ReadinessCheck = {
      name: 'redis',
      check: () => {
        throw new Error('boom');
      },
    };
    expect(await checkReadiness([sync])).toEqual({ ready: false, checks: { redis: 'boom' } });
  });
});

describe('GET /metrics', () => {
  it('serves the registry in Prometheus text format', async () => {
    const { app, deps } = buildApp();
    deps.metrics.events.inc({ type: 'order.confirmed', result: 'accepted' });
    const res = await request(app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('# TYPE saas_events_total counter');
    expect(res.text).toContain('saas_events_total{type="order.confirmed",result="accepted"} 1');
  });
});

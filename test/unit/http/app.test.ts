import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { Metrics } from '../../../src/observability/metrics.js';
import { buildApp } from './app-fixture.js';

/** A logger whose JSON lines land in an array. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

describe('createApp', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/v2/nothing').expect(404);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.body).toEqual({
      error: { code: 'not_found', message: 'no route for GET /v2/nothing' },
    });
  });

  it('echoes a valid incoming X-Request-Id', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/healthz').set('X-Request-Id', 'master-42.retry_1');
    expect(res.headers['x-request-id']).toBe('master-42.retry_1');
  });

  it('replaces an unsafe or oversized X-Request-Id with a fresh uuid', async () => {
    const { app } = buildApp();
    for (const incoming of ['bad id\t<script>', 'x'.repeat(129)]) {
      const res = await request(app).get('/healthz').set('X-Request-Id', incoming);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('gives every answer, errors included, a request id', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/nope');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('does not advertise express', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/healthz');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('logs each request once with method, path, status, duration and request id', async () => {
    const { logger, lines } = capturingLogger();
    const { app } = buildApp({ logger });
    await request(app).get('/nope?token=abc').set('X-Request-Id', 'req-1');
    await new Promise((resolve) => setImmediate(resolve)); // 'close' fires after the answer
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reqId: 'req-1', method: 'GET', path: '/nope', status: 404 });
    expect(lines[0]?.ms).toEqual(expect.any(Number));
    expect(JSON.stringify(lines)).not.toContain('token=abc');
  });

  it('logs an unexpected error with the request id and answers without the stack', async () => {
    const { logger, lines } = capturingLogger();
    const metrics = new Metrics();
    vi.spyOn(metrics.registry, 'metrics').mockRejectedValue(new Error('registry exploded'));
    const { app } = buildApp({ logger, metrics });
    const res = await request(app).get('/metrics').set('X-Request-Id', 'req-2').expect(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(res.text).not.toContain('exploded');
    const failure = lines.find((l) => l.msg === 'request failed: internal');
    expect(failure).toMatchObject({ reqId: 'req-2', err: { message: 'registry exploded' } });
  });
});

import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { wakeRoute } from '../../../src/http/wake.route.js';
import { WAKE_INSTANCE_HEADER, WAKE_PATH } from '../../../src/ports/proxy.port.js';

function setup(fail = false) {
  const asked: number[] = [];
  const app = express();
  app.use(
    wakeRoute({
      requestWake: async (id) => {
        asked.push(id);
        if (fail) throw new Error('redis down');
      },
      logger: pino({ level: 'silent' }),
    }),
  );
  return { app, asked };
}

describe('the wake handler', () => {
  it('wakes the instance the proxy names and answers the waking page (EN/ES), to retry soon', async () => {
    const { app, asked } = setup();
    const res = await request(app)
      .get(WAKE_PATH)
      .set('Host', 'acme.saas.example.com')
      .set(WAKE_INSTANCE_HEADER, '12');
    expect(asked).toEqual([12]);
    expect(res.status).toBe(503);
    expect(res.headers['x-saas-waking']).toBe('1');
    expect(res.headers['retry-after']).toBe('2');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('Waking up');
    expect(res.text).toContain('Despertando');
    expect(res.text).toContain('<b>acme.saas.example.com</b>');
    // it continues by itself once an answer is no longer the wake handler's
    expect(res.text).toContain('r.headers.get("X-Saas-Waking")');
    expect(res.text).toContain('location.replace(location.href)');
  });

  it('wakes on any method (a form sent to a sleeping tenant too)', async () => {
    const { app, asked } = setup();
    const res = await request(app).post(WAKE_PATH).set(WAKE_INSTANCE_HEADER, '3').send('a=1');
    expect(res.status).toBe(503);
    expect(asked).toEqual([3]);
  });

  it("does not wake for an open tab's websocket reconnecting by itself", async () => {
    const { app, asked } = setup();
    const res = await request(app)
      .get(WAKE_PATH)
      .set(WAKE_INSTANCE_HEADER, '12')
      .set('Connection', 'Upgrade')
      .set('Upgrade', 'websocket');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('sleeping');
    expect(asked).toEqual([]);
  });

  it.each(['', 'abc', '0', '-1', '1.5', '2147483648', '12, 13', '99999999999'])(
    'refuses the instance header %j (400), waking nothing',
    async (value) => {
      const { app, asked } = setup();
      const res = await request(app).get(WAKE_PATH).set(WAKE_INSTANCE_HEADER, value);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(asked).toEqual([]);
    },
  );

  it('still answers the page when the wake cannot be queued (the next poll asks again)', async () => {
    const { app, asked } = setup(true);
    const res = await request(app).get(WAKE_PATH).set(WAKE_INSTANCE_HEADER, '4');
    expect(res.status).toBe(503);
    expect(res.text).toContain('Waking up');
    expect(asked).toEqual([4]);
  });

  it('escapes the host it names', async () => {
    const { app } = setup();
    const res = await request(app)
      .get(WAKE_PATH)
      .set('Host', 'a<b>.example.com')
      .set(WAKE_INSTANCE_HEADER, '4');
    expect(res.text).not.toContain('a<b>');
  });
});

import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { signBody } from '../../../src/http/signature.js';
import type { EventIntakePort } from '../../../src/ports/intake.port.js';
import { EventIntakeService } from '../../../src/services/event-intake.service.js';
import { FakeEventDedupe } from '../../support/fakes/fake-event-dedupe.js';
import { FakeJobQueue } from '../../support/fakes/fake-job-queue.js';
import { buildApp, FakeIntake, SECRET } from './app-fixture.js';

const NOW_MS = Date.UTC(2026, 10, 22, 5, 0, 0);
const NOW_S = Math.floor(NOW_MS / 1000);

function orderConfirmed(id = randomUUID()) {
  return {
    id,
    type: 'order.confirmed',
    occurred_at: '2026-11-22T05:00:00Z',
    instance_id: 12,
    data: {
      order_id: 7,
      order_name: 'S00007',
      partner_id: 3,
      plan_code: 'starter',
      subdomain: 'acme',
      lang: 'es_ES',
      country_code: 'ES',
      currency: 'EUR',
      tz: 'Europe/Madrid',
    },
  };
}

interface PostOptions {
  raw?: string;
  id?: string;
  timestamp?: number;
  secret?: string;
  headers?: Record<string, string | undefined>;
}

/** Posts a body signed the way the master signs it; options break one thing at a time. */
function post(app: Express, event: { id: string } | undefined, options: PostOptions = {}) {
  const raw = options.raw ?? JSON.stringify(event);
  const timestamp = options.timestamp ?? NOW_S;
  const headers: Record<string, string | undefined> = {
    'Content-Type': 'application/json',
    'X-Saas-Event-Id': options.id ?? event?.id,
    'X-Saas-Timestamp': String(timestamp),
    'X-Saas-Signature': signBody(options.secret ?? SECRET, timestamp, raw),
    ...options.headers,
  };
  let req = request(app).post('/v1/events');
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) req = req.set(name, value);
  }
  return req.send(raw);
}

function setup() {
  const intake = new FakeIntake();
  const { app, deps } = buildApp({ intake, now: () => NOW_MS });
  const count = async (result: string) => {
    const metric = await deps.metrics.events.get();
    return metric.values
      .filter((v) => v.labels.result === result)
      .reduce((sum, v) => sum + v.value, 0);
  };
  return { app, intake, count };
}

function expectError(body: unknown, code: string) {
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
}

describe('POST /v1/events', () => {
  it('accepts a signed event: 202, intake called once with the parsed event', async () => {
    const { app, intake, count } = setup();
    const event = orderConfirmed();
    const res = await post(app, event).expect(202);
    expect(res.body).toEqual({ accepted: true, id: event.id, jobId: `${event.id}-job` });
    expect(intake.accepted).toEqual([event]);
    expect(await count('accepted')).toBe(1);
  });

  it('answers 200 duplicate when intake has seen the id', async () => {
    const { app, count } = setup();
    const event = orderConfirmed();
    await post(app, event).expect(202);
    const res = await post(app, event).expect(200);
    expect(res.body).toEqual({ accepted: true, duplicate: true, id: event.id });
    expect(await count('duplicate')).toBe(1);
  });

  it('accepts a timestamp just inside the 300 s window', async () => {
    const { app } = setup();
    await post(app, orderConfirmed(), { timestamp: NOW_S - 300 }).expect(202);
    await post(app, orderConfirmed(), { timestamp: NOW_S + 300 }).expect(202);
  });

  describe('rejects with 401 and never calls intake', () => {
    const cases: [string, PostOptions, string][] = [
      [
        'a signature made with another secret',
        { secret: 'not-the-shared-secret' },
        'bad_signature',
      ],
      ['a malformed signature', { headers: { 'X-Saas-Signature': 'sha256=abc' } }, 'bad_signature'],
      ['no signature', { headers: { 'X-Saas-Signature': undefined } }, 'bad_signature'],
      ['no timestamp', { headers: { 'X-Saas-Timestamp': undefined } }, 'bad_signature'],
      ['a non-integer timestamp', { headers: { 'X-Saas-Timestamp': '1.5' } }, 'bad_signature'],
      ['no event id', { headers: { 'X-Saas-Event-Id': undefined } }, 'bad_signature'],
      ['a timestamp 301 s old', { timestamp: NOW_S - 301 }, 'stale_timestamp'],
      ['a timestamp 301 s ahead', { timestamp: NOW_S + 301 }, 'stale_timestamp'],
    ];
    it.each(cases)('%s', async (_name, options, code) => {
      const { app, intake, count } = setup();
      const res = await post(app, orderConfirmed(), options).expect(401);
      expectError(res.body, code);
      expect(intake.accepted).toHaveLength(0);
      expect(await count('rejected')).toBe(1);
    });

    it('a body changed after signing', async () => {
      const { app, intake } = setup();
      const event = orderConfirmed();
      const signed = JSON.stringify(event);
      const tampered = signed.replace('"acme"', '"evil"');
      const res = await post(app, event, {
        raw: tampered,
        headers: { 'X-Saas-Signature': signBody(SECRET, NOW_S, signed) },
      }).expect(401);
      expectError(res.body, 'bad_signature');
      expect(intake.accepted).toHaveLength(0);
    });

    it('a replayed request whose timestamp was rewritten', async () => {
      const { app, intake } = setup();
      const event = orderConfirmed();
      const raw = JSON.stringify(event);
      await post(app, event, {
        headers: {
          'X-Saas-Timestamp': String(NOW_S),
          'X-Saas-Signature': signBody(SECRET, NOW_S - 3600, raw),
        },
      }).expect(401);
      expect(intake.accepted).toHaveLength(0);
    });
  });

  it('checks the signature before parsing: unsigned garbage is 401, not 400', async () => {
    const { app } = setup();
    const res = await post(app, undefined, {
      raw: '{not json',
      id: randomUUID(),
      secret: 'wrong-secret-wrong-secret',
    }).expect(401);
    expectError(res.body, 'bad_signature');
  });

  it('answers 400 on signed invalid JSON', async () => {
    const { app, intake } = setup();
    const res = await post(app, undefined, { raw: '{"id": ', id: randomUUID() }).expect(400);
    expectError(res.body, 'bad_request');
    expect(intake.accepted).toHaveLength(0);
  });

  it('answers 422 with a readable message on a schema violation', async () => {
    const { app, intake, count } = setup();
    const event = orderConfirmed();
    event.data.subdomain = '';
    const res = await post(app, event).expect(422);
    expectError(res.body, 'invalid_event');
    expect(res.body.error.message).toMatch(/^data\.subdomain: Too small/);
    expect(intake.accepted).toHaveLength(0);
    expect(await count('rejected')).toBe(1);
  });

  it('answers 422 naming an unknown event type', async () => {
    const { app } = setup();
    const event = { ...orderConfirmed(), type: 'order.exploded' };
    const res = await post(app, event).expect(422);
    expect(res.body.error.message).toMatch(/^type: /);
  });

  it('answers 400 when the header id differs from the body id', async () => {
    const { app, intake } = setup();
    const res = await post(app, orderConfirmed(), { id: randomUUID() }).expect(400);
    expectError(res.body, 'bad_request');
    expect(res.body.error.message).toContain('X-Saas-Event-Id');
    expect(intake.accepted).toHaveLength(0);
  });

  it('answers 415 on a content type other than JSON', async () => {
    const { app, intake, count } = setup();
    const res = await post(app, orderConfirmed(), {
      headers: { 'Content-Type': 'text/plain' },
    }).expect(415);
    expectError(res.body, 'unsupported_media_type');
    expect(intake.accepted).toHaveLength(0);
    expect(await count('rejected')).toBe(1);
  });

  it('accepts a charset parameter on the JSON content type', async () => {
    const { app } = setup();
    await post(app, orderConfirmed(), {
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    }).expect(202);
  });

  it('answers 413 on a body over 64 kB, before checking anything else', async () => {
    const { app, intake } = setup();
    const event = { ...orderConfirmed(), padding: 'x'.repeat(64 * 1024) };
    const res = await post(app, event).expect(413);
    expectError(res.body, 'payload_too_large');
    expect(intake.accepted).toHaveLength(0);
  });

  it('answers 500 with a generic message when intake fails, without the cause', async () => {
    const failing: EventIntakePort = {
      accept: async () => {
        throw new Error('redis password is hunter2');
      },
    };
    const { app } = buildApp({ intake: failing, now: () => NOW_MS });
    const res = await post(app, orderConfirmed()).expect(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(res.text).not.toContain('hunter2');
  });

  it('answers 413 at once, from the headers, to a declared 1 GiB body, and closes', async () => {
    const { app, intake } = setup();
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.on('error', () => undefined); // the server may reset what it did not read
      socket.write(
        'POST /v1/events HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\n' +
          `Content-Length: ${1024 ** 3}\r\nConnection: keep-alive\r\n\r\n{"id":`,
      );
      // the body never comes: before the fix the parser waited for all of it
      await closed;
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).toContain('"payload_too_large"');
      expect(intake.accepted).toHaveLength(0);
    } finally {
      server.close();
    }
  });

  it('after the 413 drains what the client still sends for a while (no reset), then cuts it', async () => {
    const { app } = setup();
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      // half-open, as an upload is: the server's FIN does not stop the client writing
      const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      let answer = '';
      const errors: string[] = [];
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('error', (err: NodeJS.ErrnoException) => errors.push(err.code ?? err.message));
      const ended = new Promise((resolve) => socket.once('end', resolve));
      socket.write(
        'POST /v1/events HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\n' +
          `Content-Length: ${1024 ** 3}\r\n\r\n`,
      );
      await ended;
      expect(answer).toMatch(/^HTTP\/1\.1 413 [^]*"payload_too_large"/);
      // the body still arriving after the answer, as when the answer overtakes an upload: before the
      // lingering close these bytes drew a reset, and a client busy writing saw that, not the 413
      for (let i = 0; i < 4; i++) socket.write(Buffer.alloc(64 * 1024, 'x'));
      await pause(200);
      expect(errors).toEqual([]);
      // past the drain limit (1 MiB) the server cuts the connection
      for (let i = 0; i < 32; i++) socket.write(Buffer.alloc(64 * 1024, 'x'));
      const open = () =>
        new Promise<number>((resolve) => server.getConnections((_err, n) => resolve(n)));
      for (let waited = 0; (await open()) > 0 && waited < 1_500; waited += 50) await pause(50);
      expect(await open()).toBe(0);
      socket.destroy();
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it.each([2 ** 31, 2 ** 53 - 1])(
    'answers 422 (permanent) to instance_id %s, beyond any Odoo id',
    async (instanceId) => {
      const { app, intake } = setup();
      const event = { ...orderConfirmed(), instance_id: instanceId };
      const res = await post(app, event).expect(422);
      expectError(res.body, 'invalid_event');
      expect(res.body.error.message).toMatch(/^instance_id: Too big/);
      expect(intake.accepted).toHaveLength(0);
    },
  );

  it('accepts the largest Odoo id', async () => {
    const { app } = setup();
    const event = { ...orderConfirmed(), instance_id: 2 ** 31 - 1 };
    await post(app, event).expect(202);
  });

  it('takes an event id in capitals for the same event as in lower case', async () => {
    const { app, intake } = setup();
    const event = orderConfirmed();
    await post(app, { ...event, id: event.id.toUpperCase() }).expect(202);
    await post(app, event).expect(200);
    expect(intake.accepted.map((e) => e.id)).toEqual([event.id, event.id]);
  });

  it('gives three concurrent deliveries of one event one 202 and two 200 duplicates', async () => {
    const queue = new FakeJobQueue();
    const intake = new EventIntakeService(queue, new FakeEventDedupe());
    const { app } = buildApp({ intake, now: () => NOW_MS });
    const event = orderConfirmed();
    const answers = await Promise.all([post(app, event), post(app, event), post(app, event)]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 200, 202]);
    for (const res of answers.filter((r) => r.status === 200)) {
      expect(res.body).toEqual({ accepted: true, duplicate: true, id: event.id });
    }
    expect(queue.adds).toBe(1);
  });
});

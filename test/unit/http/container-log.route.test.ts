import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { demuxLogs } from '../../../src/adapters/docker.adapter.js';
import { containerLogMessage, containerLogRoute } from '../../../src/http/container-log.route.js';
import { errorHandler } from '../../../src/http/error-handler.js';
import { signBody } from '../../../src/http/signature.js';
import { ContainerLogService } from '../../../src/services/container-log.service.js';
import { namesOf, worldWithInstance } from '../../support/world.js';

const SECRET = 'shared-secret-for-the-log-route';
const NOW = 1_790_000_000_000;

async function setup() {
  const world = await worldWithInstance({}, true);
  world.docker.logs.set(namesOf(1).container, 'one\ntwo\nthree');
  const service = new ContainerLogService({
    odoo: world.odoo,
    docker: world.docker,
    identity: world.identity,
  });
  const app = express();
  app.use(
    containerLogRoute({
      sharedSecret: SECRET,
      now: () => NOW,
      tail: (id, lines) => service.tail(id, lines),
    }),
  );
  app.use(errorHandler(pino({ level: 'silent' })));
  return { world, app };
}

function signed(id: number, lines: number, at = NOW / 1000, secret = SECRET) {
  return {
    'X-Saas-Timestamp': String(at),
    'X-Saas-Signature': signBody(secret, at, containerLogMessage(id, lines)),
  };
}

describe('GET /v1/instances/:id/logs', () => {
  it('answers the last lines of the instance container to a signed request', async () => {
    const { app } = await setup();
    const res = await request(app).get('/v1/instances/1/logs?lines=2').set(signed(1, 2));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ lines: 'two\nthree' });
  });

  it('refuses a wrong, stale or other-request signature, and bad input', async () => {
    const { app } = await setup();
    const get = (path: string) => request(app).get(path);
    expect((await get('/v1/instances/1/logs?lines=2').set(signed(1, 3))).status).toBe(401);
    expect((await get('/v1/instances/1/logs?lines=2').set(signed(2, 2))).status).toBe(401);
    const stale = signed(1, 2, NOW / 1000 - 301);
    expect((await get('/v1/instances/1/logs?lines=2').set(stale)).status).toBe(401);
    const wrong = signed(1, 2, NOW / 1000, 'another-secret-entirely');
    expect((await get('/v1/instances/1/logs?lines=2').set(wrong)).status).toBe(401);
    expect((await get('/v1/instances/1/logs?lines=9999').set(signed(1, 9999))).status).toBe(400);
    expect((await get('/v1/instances/1/logs?lines=2&x=1').set(signed(1, 2))).status).toBe(400);
    expect((await get('/v1/instances/abc/logs').set(signed(1, 100))).status).toBe(400);
  });

  it('answers 404 for an instance without a container of its own', async () => {
    const { app, world } = await setup();
    world.docker.containers.get(namesOf(1).container)!.labels['saas.instance'] = '99';
    const res = await request(app).get('/v1/instances/1/logs?lines=2').set(signed(1, 2));
    expect(res.status).toBe(404);
  });
});

describe('demuxLogs', () => {
  it("joins the payloads of Docker's framed stream, and passes plain text through", () => {
    const frame = (kind: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = kind;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demuxLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).toBe('out\nerr\n');
    expect(demuxLogs(Buffer.from('plain text log\n'))).toBe('plain text log\n');
  });
});

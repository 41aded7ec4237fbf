import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { BOARD_PASSWORD, BOARD_USER, buildApp, testConfig } from './app-fixture.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

// the board itself is a stand-in here (no Redis); the real one: test/integration/bull-board...
describe('the queue board at /admin/queues', () => {
  const paths = ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/favicon.ico'];

  it.each(paths)('asks for credentials at %s', async (path) => {
    const { app } = buildApp();
    const res = await request(app).get(path).expect(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="Bull Board"/);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it.each([
    ['a wrong password', basic(BOARD_USER, 'wrong-password')],
    ['a wrong user', basic('admin', BOARD_PASSWORD)],
    ['a password prefix', basic(BOARD_USER, BOARD_PASSWORD.slice(0, -1))],
    ['no colon', `Basic ${Buffer.from(BOARD_USER).toString('base64')}`],
    ['another scheme', `Bearer ${BOARD_PASSWORD}`],
  ])('refuses %s', async (_name, authorization) => {
    const { app } = buildApp();
    await request(app).get('/admin/queues').set('Authorization', authorization).expect(401);
  });

  it.each(paths)(
    'hands %s to the board, made for its mount path, with the right credentials',
    async (path) => {
      const { app } = buildApp();
      const res = await request(app)
        .get(path)
        .set('Authorization', basic(BOARD_USER, BOARD_PASSWORD))
        .expect(200);
      expect(res.body).toEqual({
        board: '/admin/queues',
        path: path.slice('/admin/queues'.length) || '/',
      });
    },
  );
});

describe('the queue board against guessing and queueing', () => {
  const right = basic(BOARD_USER, BOARD_PASSWORD);
  const wrong = basic(BOARD_USER, 'guess');

  it('locks an address out after 5 wrong logins, the right one included, and says when to retry', async () => {
    const { app } = buildApp();
    for (let i = 0; i < 5; i += 1) {
      await request(app).get('/admin/queues').set('Authorization', wrong).expect(401);
    }
    const locked = await request(app).get('/admin/queues').set('Authorization', right).expect(429);
    expect(locked.body.error).toEqual({
      code: 'too_many_attempts',
      message: 'too many failed logins; try again later',
    });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
  });

  it('does not count requests without credentials (a browser asking first), and forgets after a success', async () => {
    const { app } = buildApp();
    for (let i = 0; i < 10; i += 1) await request(app).get('/admin/queues').expect(401);
    for (let i = 0; i < 4; i += 1) {
      await request(app).get('/admin/queues').set('Authorization', wrong).expect(401);
    }
    await request(app).get('/admin/queues').set('Authorization', right).expect(200);
    for (let i = 0; i < 4; i += 1) {
      await request(app).get('/admin/queues').set('Authorization', wrong).expect(401);
    }
    await request(app).get('/admin/queues').set('Authorization', right).expect(200);
  });

  it.each([
    ['post', '/admin/queues/api/queues/instances/add'],
    ['patch', '/admin/queues/api/queues/instances/provision-1-abc/update-data'],
    ['patch', '/admin/queues/api/queues/maintenance/job-schedulers/reconcile-every'],
    ['patch', '/admin/queues/api/queues/instances/provision-1-abc/delay'],
    ['post', '/admin/queues/api/queues/instances%2Fadd/x/%61dd'],
  ] as const)(
    'refuses %s %s even to the full login: jobs come from signed events',
    async (method, path) => {
      const { app } = buildApp();
      const res = await request(app)[method](path).set('Authorization', right).send({}).expect(403);
      expect(res.body.error.message).toBe(
        'the board cannot add jobs or change their data: jobs come from signed events',
      );
    },
  );

  it('lets the full login retry a job that exists', async () => {
    const { app } = buildApp();
    await request(app)
      .put('/admin/queues/api/queues/instances/provision-1-abc/retry')
      .set('Authorization', right)
      .expect(200);
  });

  it('gives a read-only login the board to look at, and no change', async () => {
    const config = testConfig();
    config.bullBoard.readOnly = { user: 'viewer', password: 'viewer-password-1' };
    const { app } = buildApp({ config });
    const viewer = basic('viewer', 'viewer-password-1');
    await request(app).get('/admin/queues/api/queues').set('Authorization', viewer).expect(200);
    const res = await request(app)
      .put('/admin/queues/api/queues/instances/provision-1-abc/retry')
      .set('Authorization', viewer)
      .expect(403);
    expect(res.body.error).toEqual({
      code: 'forbidden',
      message: 'this login may only look at the queues',
    });
  });
});

import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { BOARD_PASSWORD, BOARD_USER, buildApp } from './app-fixture.js';

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

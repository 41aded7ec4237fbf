import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARD_PASSWORD, BOARD_USER, buildApp } from './app-fixture.js';

// A real queue on the local Redis; the unique prefix keeps it apart from anything else there.
const prefix = `test-http-${randomUUID()}`;
let queue: Queue;

beforeAll(() => {
  queue = new Queue('provision', { connection: { url: 'redis://127.0.0.1:6379' }, prefix });
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
});

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Bull Board at /admin/queues', () => {
  const paths = ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/favicon.ico'];

  it.each(paths)('asks for credentials at %s', async (path) => {
    const { app } = buildApp({ queues: [queue] });
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
    const { app } = buildApp({ queues: [queue] });
    await request(app).get('/admin/queues').set('Authorization', authorization).expect(401);
  });

  it('serves the board, its assets and its API with the right credentials', async () => {
    const { app } = buildApp({ queues: [queue] });
    const auth = basic(BOARD_USER, BOARD_PASSWORD);

    const page = await request(app).get('/admin/queues').set('Authorization', auth).expect(200);
    expect(page.headers['content-type']).toContain('text/html');

    await request(app)
      .get('/admin/queues/static/favicon.ico')
      .set('Authorization', auth)
      .expect(200);

    const api = await request(app)
      .get('/admin/queues/api/queues')
      .set('Authorization', auth)
      .expect(200);
    const names = (api.body.queues as { name: string }[]).map((q) => q.name);
    expect(names).toContain('provision');
  });
});

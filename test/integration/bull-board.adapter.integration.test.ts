import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullBoardRouter } from '../../src/adapters/bull-board.adapter.js';
import { JobQueueAdapter } from '../../src/adapters/job-queue.adapter.js';
import { BULL_BOARD_PATH } from '../../src/app.js';
import { JOBS, QUEUES } from '../../src/ports/jobs.port.js';
import { unavailable } from '../support/integration/availability.js';
import {
  deleteKeys,
  inspector,
  pingRedis,
  REDIS_URL,
  uniquePrefix,
} from '../support/integration/redis.js';
import { BOARD_PASSWORD, BOARD_USER, buildApp } from '../unit/http/app-fixture.js';
import { registryOf } from '../support/jobs.js';

const skip = await unavailable('Redis', pingRedis);

const prefix = uniquePrefix('board');
let jobs: JobQueueAdapter;

const auth = `Basic ${Buffer.from(`${BOARD_USER}:${BOARD_PASSWORD}`).toString('base64')}`;

describe.skipIf(skip)('Bull Board over the real queues', () => {
  beforeAll(() => {
    jobs = new JobQueueAdapter(REDIS_URL, { prefix });
    jobs.register(registryOf(Object.values(JOBS).flat()));
  });

  afterAll(async () => {
    await jobs?.close();
    const redis = inspector();
    await redis.connect();
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('serves the board, its assets and its API, listing every queue with its jobs', async () => {
    await jobs.enqueue('welcome', { instanceId: 3, kind: 'welcome' }, { jobId: 'welcome-3-acme' });
    const { app } = buildApp({ queueBoard: (basePath) => bullBoardRouter(jobs, basePath) });

    const page = await request(app).get(BULL_BOARD_PATH).set('Authorization', auth).expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    await request(app)
      .get(`${BULL_BOARD_PATH}/static/favicon.ico`)
      .set('Authorization', auth)
      .expect(200);

    const api = await request(app)
      .get(`${BULL_BOARD_PATH}/api/queues`)
      .set('Authorization', auth)
      .expect(200);
    const queues = api.body.queues as { name: string; counts: Record<string, number> }[];
    expect(queues.map((q) => q.name).sort()).toEqual(Object.values(QUEUES).sort());
    expect(queues.find((q) => q.name === 'mail')?.counts.waiting).toBe(1);
  });

  it('names no framework, and queues nothing through its API without the HMAC', async () => {
    const { app } = buildApp({ queueBoard: (basePath) => bullBoardRouter(jobs, basePath) });
    const page = await request(app).get(BULL_BOARD_PATH).set('Authorization', auth).expect(200);
    expect(page.headers['x-powered-by']).toBeUndefined();
    const api = await request(app)
      .get(`${BULL_BOARD_PATH}/api/queues`)
      .set('Authorization', auth)
      .expect(200);
    expect(api.headers['x-powered-by']).toBeUndefined();

    const before = await jobs.allQueues()[0]!.getJobCounts();
    await request(app)
      .post(`${BULL_BOARD_PATH}/api/queues/${QUEUES.instances}/add`)
      .set('Authorization', auth)
      .send({ name: 'terminate', data: { instanceId: 1, action: 'terminate' } })
      .expect(403);
    expect(await jobs.allQueues()[0]!.getJobCounts()).toEqual(before);
  });
});

import express, { type Router } from 'express';
import { pino } from 'pino';
import { createApp, type AppDeps } from '../../../src/app.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { Metrics } from '../../../src/observability/metrics.js';
import type { EventIntakePort, IntakeResult } from '../../../src/ports/intake.port.js';
import type { BridgeEvent } from '../../../src/schemas/event.schema.js';

export const SECRET = 'test-shared-secret-0123456789';
export const BOARD_USER = 'ops';
export const BOARD_PASSWORD = 'board-password-123';

/** The smallest environment loadConfig accepts (names as in .env.example). */
export function testConfig(): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    BRIDGE_SHARED_SECRET: SECRET,
    BULL_BOARD_USER: BOARD_USER,
    BULL_BOARD_PASSWORD: BOARD_PASSWORD,
    REDIS_URL: 'redis://127.0.0.1:6379/0',
    ODOO_URL: 'http://127.0.0.1:8069',
    ODOO_DB: 'saas_master',
    ODOO_LOGIN: 'saas_bridge',
    ODOO_PASSWORD: 'secret',
    PG_ADMIN_URL: 'postgres://saas_admin:secret@127.0.0.1:5432/postgres',
    PG_TEMPLATE_PASSWORD: 'secret',
    BASE_DOMAIN: 'localhost',
    SMTP_URL: 'smtp://127.0.0.1:1025',
    MAIL_FROM: 'Odoo SaaS <no-reply@localhost>',
  });
}

/** Records what it was given; answers "new" unless the id was seen before. */
export class FakeIntake implements EventIntakePort {
  readonly accepted: BridgeEvent[] = [];
  private readonly seen = new Set<string>();

  async accept(event: BridgeEvent): Promise<IntakeResult> {
    this.accepted.push(event);
    if (this.seen.has(event.id)) return { duplicate: true, jobId: undefined };
    this.seen.add(event.id);
    return { duplicate: false, jobId: `${event.id}-job` };
  }
}

/**
 * Stands in for Bull Board behind AppDeps.queueBoard: answers every path under its mount with the
 * path and the base path it was made for (the real board: test/integration/bull-board...).
 */
export function fakeQueueBoard(basePath: string): Router {
  const router = express.Router();
  router.use((req, res) => {
    res.json({ board: basePath, path: req.path });
  });
  return router;
}

export function buildApp(overrides: Partial<AppDeps> = {}) {
  const deps: AppDeps = {
    config: testConfig(),
    logger: pino({ level: 'silent' }),
    metrics: new Metrics(),
    intake: new FakeIntake(),
    readiness: [],
    queueBoard: fakeQueueBoard,
    ...overrides,
  };
  return { app: createApp(deps), deps };
}

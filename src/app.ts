import express, { type Router } from 'express';
import type { Config } from './config.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import type { EventIntakePort, ReadinessCheck } from './ports/intake.port.js';
import { basicAuth } from './http/basic-auth.js';
import { boardGuard } from './http/board-guard.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { eventsRoute } from './http/events.route.js';
import { healthRoute } from './http/health.route.js';
import { metricsRoute } from './http/metrics.route.js';
import { opsAccess } from './http/ops-access.js';
import { requestContext } from './http/request-context.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  intake: EventIntakePort;
  /** e.g. redis, docker, odoo; each gets 3 s in /readyz */
  readiness: ReadinessCheck[];
  /** the job queues' board (Bull Board), mounted at `basePath` behind basic auth */
  queueBoard(basePath: string): Router;
  /** more routes (e.g. backup downloads), mounted before the 404 */
  extraRoutes?: Router[];
  /** ms clock; tests move it to probe the signature's timestamp window */
  now?: () => number;
}

export const BULL_BOARD_PATH = '/admin/queues';

/** The bridge's HTTP surface. Never listens, so tests drive it with supertest. */
export function createApp(deps: AppDeps): express.Express {
  const { config, logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');

  app.use(requestContext(logger));
  app.use(['/readyz', '/metrics'], opsAccess(config.opsToken));
  app.use(healthRoute(deps.readiness));
  app.use(metricsRoute(metrics));
  app.use(
    eventsRoute({
      sharedSecret: config.sharedSecret,
      intake: deps.intake,
      metrics,
      now: deps.now ?? Date.now,
    }),
  );
  app.use(
    BULL_BOARD_PATH,
    basicAuth({
      full: config.bullBoard,
      readOnly: config.bullBoard.readOnly,
      realm: 'Bull Board',
    }),
    boardGuard(),
    deps.queueBoard(BULL_BOARD_PATH),
  );

  for (const route of deps.extraRoutes ?? []) app.use(route);

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

import { Router, type Request, type Response } from 'express';
import type { Logger } from '../observability/logger.js';
import { WAKE_INSTANCE_HEADER, WAKE_PATH } from '../ports/proxy.port.js';
import { errorResponse } from './error-response.js';
import { WAKING_HEADER, wakingPage } from './wake-page.js';

export interface WakeRouteDeps {
  /** queues the wake of that instance (one per instance at a time); the job checks it sleeps */
  requestWake(instanceId: number): Promise<void>;
  logger: Logger;
}

const MAX_ID = 2147483647;

/**
 * Where the proxy sends every request to a sleeping tenant (CaddyProxyAdapter.routeToWakeHandler):
 * the first one wakes it, each one answers the "waking up" page (503, retry soon). An open tab's
 * websocket reconnecting by itself wakes nobody: only a visitor does.
 */
export function wakeRoute(deps: WakeRouteDeps): Router {
  const router = Router();
  router.all(WAKE_PATH, (req: Request, res: Response) => {
    const raw = req.get(WAKE_INSTANCE_HEADER) ?? '';
    const id = /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(id <= MAX_ID)) {
      errorResponse(res, 400, 'bad_request', `${WAKE_INSTANCE_HEADER} is not an instance id`);
      return;
    }
    res.set({ [WAKING_HEADER]: '1', 'Cache-Control': 'no-store', 'Retry-After': '2' });
    if ((req.get('upgrade') ?? '').toLowerCase() === 'websocket') {
      errorResponse(res, 503, 'sleeping', 'the tenant sleeps; a visit wakes it');
      return;
    }
    // the page answers even when the wake could not be queued: its next poll asks again
    deps
      .requestWake(id)
      .catch((err: unknown) =>
        deps.logger.warn({ instance: id, err }, 'wake not queued; the next request asks again'),
      );
    res.status(503).type('html').send(wakingPage(req.hostname));
  });
  return router;
}

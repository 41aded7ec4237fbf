import type { RequestHandler } from 'express';
import { errorResponse } from './error-response.js';

/**
 * Bull Board's API adds jobs (POST .../add) and edits their data or schedulers (PATCH ...). Jobs come
 * only from signed events (POST /v1/events) and the bridge itself: through these a board login could
 * provision, suspend or terminate any instance without the HMAC. So every POST and PATCH is refused
 * (whatever the path's spelling); the PUT actions on jobs that exist (retry, promote, clean, pause)
 * stay for the full login.
 */
const QUEUEING_METHODS = new Set(['POST', 'PATCH']);

/** After basicAuth: refuses queueing to everyone and any change to a read-only login. */
export function boardGuard(): RequestHandler {
  return (req, res, next) => {
    if (QUEUEING_METHODS.has(req.method)) {
      errorResponse(
        res,
        403,
        'forbidden',
        'the board cannot add jobs or change their data: jobs come from signed events',
      );
      return;
    }
    if (res.locals.accessLevel !== 'full' && !['GET', 'HEAD'].includes(req.method)) {
      errorResponse(res, 403, 'forbidden', 'this login may only look at the queues');
      return;
    }
    next();
  };
}

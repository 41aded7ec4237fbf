import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../observability/logger.js';

export interface RequestContext {
  id: string;
  log: Logger;
}

/** An upstream id is only trusted if it cannot inject anything into logs or headers. */
const INCOMING_ID = /^[\w.-]{1,128}$/;
/** Probes and scrapes hit these every few seconds; log them at debug unless they fail. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

// A WeakMap keeps the context typed without augmenting express' global types.
const contexts = new WeakMap<Response, RequestContext>();

export function requestContextOf(res: Response): RequestContext | undefined {
  return contexts.get(res);
}

/** Gives each request an id (echoed as X-Request-Id) and a child logger, and logs its outcome. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming !== undefined && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ reqId: id });
    contexts.set(res, { id, log });
    res.setHeader('X-Request-Id', id);

    const started = performance.now();
    const { method, path } = req; // captured now: routers rewrite req.path while routing
    res.once('close', () => {
      const status = res.statusCode;
      const entry = {
        method,
        path,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (status >= 500) log.error(entry, 'request failed');
      else if (status >= 400) log.warn(entry, 'request rejected');
      else if (QUIET_PATHS.has(path)) log.debug(entry, 'request');
      else log.info(entry, 'request');
    });
    next();
  };
}

import type { ErrorRequestHandler, RequestHandler } from 'express';
import { BridgeError, type BridgeErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { errorResponse } from './error-response.js';
import { requestContextOf } from './request-context.js';

/** A Record, so a new error code does not compile until someone decides its HTTP status. */
const STATUS_BY_CODE: Record<BridgeErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  too_many_attempts: 429,
  bad_signature: 401,
  stale_timestamp: 401,
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_found: 404,
  invalid_event: 422,
  // transient on purpose: the master resends on 503 (and would drop the event on a 409)
  event_in_flight: 503,
  plan_invalid: 422,
  subdomain_taken: 409,
  instance_not_found: 404,
  odoo_fault: 502,
  odoo_unreachable: 502,
  odoo_bad_answer: 502,
  docker_failed: 502,
  database_failed: 502,
  proxy_failed: 502,
  mail_failed: 502,
  backup_failed: 502,
  backups_not_configured: 503,
  tenant_not_ready: 503,
  capacity_exhausted: 503,
  disk_full: 507,
  backup_corrupt: 500,
  backup_not_found: 404,
  update_failed: 502,
  // a sleeping tenant's websocket: it wakes on a visit, not on a reconnect
  sleeping: 503,
  internal: 500,
};

/** Client errors raised by express' body parsers (http-errors: status + expose). */
const CODE_BY_CLIENT_STATUS: Partial<Record<number, BridgeErrorCode>> = {
  401: 'unauthorized',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

interface ClientHttpError {
  status: number;
  message: string;
}

function isClientHttpError(err: unknown): err is ClientHttpError {
  if (typeof err !== 'object' || err === null) return false;
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true;
}

export interface HttpFailure {
  status: number;
  code: BridgeErrorCode;
  message: string;
}

/** What a thrown value means for the client; anything unexpected is a generic 500. */
export function describeError(err: unknown): HttpFailure {
  if (err instanceof BridgeError) {
    return { status: STATUS_BY_CODE[err.code], code: err.code, message: err.message };
  }
  if (isClientHttpError(err)) {
    const code = CODE_BY_CLIENT_STATUS[err.status] ?? 'bad_request';
    return { status: err.status, code, message: err.message };
  }
  return { status: 500, code: 'internal', message: 'internal error' };
}

/** The single express error handler: logs server-side failures with the request id. */
export function errorHandler(fallbackLogger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      // Too late for a JSON answer; express' default handler closes the connection.
      next(err);
      return;
    }
    const failure = describeError(err);
    if (failure.status >= 500) {
      const log = requestContextOf(res)?.log ?? fallbackLogger;
      log.error({ err }, 'request failed: %s', failure.code);
    }
    errorResponse(res, failure.status, failure.code, failure.message);
  };
}

export const notFound: RequestHandler = (req, res) => {
  errorResponse(res, 404, 'not_found', `no route for ${req.method} ${req.path.slice(0, 200)}`);
};

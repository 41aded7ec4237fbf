import express, {
  Router,
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
} from 'express';
import { BridgeError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import type { EventIntakePort } from '../ports/intake.port.js';
import { describeError } from './error-handler.js';
import { parseEventBody } from './event-body.js';
import { closeAfterAnswer } from './lingering-close.js';
import { requestContextOf } from './request-context.js';
import { checkSignedRequest, TIMESTAMP_TOLERANCE_SECONDS } from './signature.js';

export interface EventsRouteDeps {
  sharedSecret: string;
  intake: EventIntakePort;
  metrics: Metrics;
  now: () => number;
}

const BODY_LIMIT_BYTES = 64 * 1024;
const EVENT_ID_HEADER = /^[\w.-]{1,128}$/;

/** The master always sends JSON; anything else is refused before reading the body. */
const requireJson: RequestHandler = (req, _res, next) => {
  const mediaType = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new BridgeError('unsupported_media_type', 'Content-Type must be application/json', true);
  }
  next();
};

/**
 * A declared length over the limit is refused from the headers alone. The body parser would
 * also refuse it, but only after reading (and dropping) the whole body: a client claiming 1 GiB
 * held the request open for minutes. The connection is closed after the answer (lingering a
 * moment, so a client still sending reads the 413 rather than a reset), so nothing waits for the
 * rest of that body either.
 */
const refuseDeclaredOversize: RequestHandler = (req, res, next) => {
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > BODY_LIMIT_BYTES) {
    closeAfterAnswer(res);
    const message = `body of ${declared} bytes is over the limit of ${BODY_LIMIT_BYTES}`;
    throw new BridgeError('payload_too_large', message, true);
  }
  next();
};

/**
 * Raw bytes, because the signature covers exactly what was sent. No inflate: a compressed body
 * is not what the master signs, and decompressing unauthenticated input invites zip bombs.
 * Any media type: requireJson has already decided that.
 */
const rawBody = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES, inflate: false });

/** POST /v1/events: verify (signature before parsing), validate, hand to intake. */
export function eventsRoute(deps: EventsRouteDeps): Router {
  const { sharedSecret, intake, metrics, now } = deps;

  const rejected = (type: string, err: unknown): void => {
    const result = describeError(err).status < 500 ? 'rejected' : 'error';
    metrics.events.inc({ type, result });
  };

  // Only sees failures of the middlewares above it (413, 415, aborted uploads).
  const countUnreadBody: ErrorRequestHandler = (err: unknown, _req, _res, next) => {
    rejected('unknown', err);
    next(err);
  };

  const receive: RequestHandler = async (req, res) => {
    let type = 'unknown'; // a label from the validated body only, so its values stay bounded
    try {
      const { eventId, body } = authenticate(req, sharedSecret, now());
      const event = parseEventBody(body, eventId);
      type = event.type;
      const result = await intake.accept(event);
      metrics.events.inc({ type, result: result.duplicate ? 'duplicate' : 'accepted' });
      const { duplicate, jobId } = result;
      requestContextOf(res)?.log.info({ eventId, type, duplicate, jobId }, 'event received');
      if (duplicate) {
        res.status(200).json({ accepted: true, duplicate: true, id: event.id });
      } else {
        res.status(202).json({ accepted: true, id: event.id, jobId });
      }
    } catch (err) {
      rejected(type, err);
      throw err;
    }
  };

  return Router().post(
    '/v1/events',
    refuseDeclaredOversize,
    requireJson,
    rawBody,
    countUnreadBody,
    receive,
  );
}

/** Throws 401s unless the headers are well-formed, fresh and sign exactly these bytes. */
function authenticate(
  req: Request,
  secret: string,
  nowMs: number,
): { eventId: string; body: Buffer } {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0); // no body: not parsed
  const eventId = req.get('x-saas-event-id');
  const verdict = checkSignedRequest(
    secret,
    {
      timestamp: req.get('x-saas-timestamp'),
      signature: req.get('x-saas-signature'),
      rawBody: body,
    },
    nowMs,
  );
  if (verdict === 'stale_timestamp') {
    const message = `X-Saas-Timestamp is more than ${TIMESTAMP_TOLERANCE_SECONDS} s away`;
    throw new BridgeError('stale_timestamp', message, true);
  }
  if (verdict !== 'ok' || !eventId || !EVENT_ID_HEADER.test(eventId)) {
    const message = 'missing, malformed or wrong X-Saas-* headers';
    throw new BridgeError('bad_signature', message, true);
  }
  return { eventId, body };
}

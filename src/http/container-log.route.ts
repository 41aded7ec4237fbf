import { Router } from 'express';
import { z } from 'zod';
import { BridgeError } from '../errors.js';
import { ODOO_ID_MAX } from '../schemas/event.schema.js';
import { MAX_LOG_LINES } from '../services/container-log.service.js';
import { checkSignedRequest } from './signature.js';

export interface ContainerLogDeps {
  sharedSecret: string;
  now: () => number;
  tail(instanceId: number, lines: number): Promise<string>;
}

const query = z
  .object({ lines: z.coerce.number().int().min(1).max(MAX_LOG_LINES).default(100) })
  .strict();
const idParam = z.coerce.number().int().positive().max(ODOO_ID_MAX);

/** what the master signs: the request's own path and line count, so a signature opens nothing else */
export function containerLogMessage(instanceId: number, lines: number): string {
  return `logs.${instanceId}.${lines}`;
}

/**
 * GET /v1/instances/:id/logs?lines=N: the last lines of the tenant's container, for the admin's
 * instance form. The master signs it like an event (X-Saas-Timestamp, X-Saas-Signature over
 * "logs.<id>.<lines>"); anything else is refused before Docker is asked.
 */
export function containerLogRoute(deps: ContainerLogDeps): Router {
  return Router().get('/v1/instances/:id/logs', async (req, res, next) => {
    try {
      const id = idParam.safeParse(req.params.id);
      const parsed = query.safeParse(req.query);
      if (!id.success || !parsed.success)
        throw new BridgeError('bad_request', `lines must be 1-${MAX_LOG_LINES}, id an Odoo id`);
      const { lines } = parsed.data;
      const verdict = checkSignedRequest(
        deps.sharedSecret,
        {
          timestamp: req.header('x-saas-timestamp'),
          signature: req.header('x-saas-signature'),
          rawBody: Buffer.from(containerLogMessage(id.data, lines)),
        },
        deps.now(),
      );
      if (verdict !== 'ok') throw new BridgeError(verdict, 'signature missing, wrong or stale');
      const text = await deps.tail(id.data, lines);
      res.status(200).setHeader('Cache-Control', 'no-store').json({ lines: text });
    } catch (err) {
      next(err);
    }
  });
}

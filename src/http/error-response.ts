import type { Response } from 'express';
import type { BridgeErrorCode } from '../errors.js';

/** The one shape of every error answer: `{"error":{"code","message"}}` (docs/contracts.md). */
export function errorResponse(
  res: Response,
  status: number,
  code: BridgeErrorCode,
  message: string,
): void {
  // Set the type explicitly: res.json keeps a Content-Type a handler set before failing.
  res.status(status).type('application/json').json({ error: { code, message } });
}

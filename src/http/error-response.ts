import type { Response } from 'express';
import type { BridgeErrorCode } from '../errors.js';

/** The one shape of every error answer: `{"error":{"code","message"}}` (docs/contracts.md). */
export function errorResponse(
  res: Response,
  status: number,
  code: BridgeErrorCode,
  message: string,
): void {
  res.status(status).json({ error: { code, message } });
}

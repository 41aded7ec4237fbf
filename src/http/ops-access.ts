import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { errorResponse } from './error-response.js';

/**
 * /metrics and /readyz tell an outsider which dependencies are down and how busy we are: they
 * answer loopback clients, and others only with `Authorization: Bearer <OPS_TOKEN>` when one is set.
 * The address is the socket's (a proxy in front makes every client look local: give it a token).
 */
export function opsAccess(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (
      isLoopback(req.socket.remoteAddress) ||
      (token && bearerMatches(req.get('authorization'), token))
    ) {
      next();
      return;
    }
    errorResponse(
      res,
      403,
      'forbidden',
      token
        ? 'a valid ops token is required'
        : 'only answered on loopback (set OPS_TOKEN to allow others)',
    );
  };
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (\S+)$/i.exec(header?.trim() ?? '')?.[1];
  if (!given) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(token));
}

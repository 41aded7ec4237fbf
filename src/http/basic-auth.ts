import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { errorResponse } from './error-response.js';
import { LoginThrottle } from './login-throttle.js';

export interface BasicCredentials {
  user: string;
  password: string;
}

/** what a login may do: `read` only looks (GET/HEAD) */
export type AccessLevel = 'full' | 'read';

export interface BasicAuthOptions {
  full: BasicCredentials;
  /** a second login that may only look */
  readOnly?: BasicCredentials;
  realm: string;
  throttle?: LoginThrottle;
}

/**
 * Guards everything mounted behind it (Bull Board leaves auth to the host app). The level of the
 * login that passed is in `res.locals.accessLevel`. Wrong credentials count against the client's
 * address; a locked-out address gets 429 without its credentials being looked at.
 */
export function basicAuth(options: BasicAuthOptions): RequestHandler {
  const throttle = options.throttle ?? new LoginThrottle();
  return (req, res, next) => {
    const client = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const lockedMs = throttle.lockedFor(client);
    if (lockedMs > 0) {
      res.setHeader('Retry-After', String(Math.ceil(lockedMs / 1000)));
      errorResponse(res, 429, 'too_many_attempts', 'too many failed logins; try again later');
      return;
    }
    const header = req.get('authorization');
    const given = parseBasic(header);
    const level = given && levelOf(given, options);
    if (level) {
      throttle.succeeded(client);
      res.locals.accessLevel = level;
      next();
      return;
    }
    // a browser's first request carries no credentials: only a wrong login counts
    if (header !== undefined) throttle.failed(client);
    res.setHeader('WWW-Authenticate', `Basic realm="${options.realm}", charset="UTF-8"`);
    errorResponse(res, 401, 'unauthorized', 'valid credentials required');
  };
}

function levelOf(given: BasicCredentials, options: BasicAuthOptions): AccessLevel | undefined {
  // both logins are always compared, so timing reveals neither which one matched nor how much
  const full = matches(given, options.full);
  const read = options.readOnly ? matches(given, options.readOnly) : false;
  if (full) return 'full';
  return read ? 'read' : undefined;
}

function matches(given: BasicCredentials, expected: BasicCredentials): boolean {
  // both fields are always compared, so timing reveals neither which one was wrong nor how much
  const userOk = sameSecret(given.user, expected.user);
  const passwordOk = sameSecret(given.password, expected.password);
  return userOk && passwordOk;
}

function parseBasic(header: string | undefined): BasicCredentials | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Hashing first gives equal-length buffers, as timingSafeEqual needs, without leaking length. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { errorResponse } from './error-response.js';

export interface BasicCredentials {
  user: string;
  password: string;
}

/** Guards everything mounted behind it (Bull Board leaves auth to the host app). */
export function basicAuth(expected: BasicCredentials, realm: string): RequestHandler {
  return (req, res, next) => {
    const given = parseBasic(req.get('authorization'));
    // Both fields are always compared, so timing reveals neither which one was wrong nor how much.
    const userOk = given !== undefined && sameSecret(given.user, expected.user);
    const passwordOk = given !== undefined && sameSecret(given.password, expected.password);
    if (userOk && passwordOk) {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    errorResponse(res, 401, 'unauthorized', 'valid credentials required');
  };
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

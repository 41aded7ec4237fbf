import { createHmac, timingSafeEqual } from 'node:crypto';

/** The master and the bridge disagree by at most this much before a request counts as a replay. */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;
const TIMESTAMP = /^\d{1,12}$/;

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`, as the master sends it. */
export function signBody(
  secret: string,
  timestamp: number | string,
  rawBody: string | Uint8Array,
): string {
  return `sha256=${hmac(secret, timestamp, rawBody).toString('hex')}`;
}

/** Constant-time check of a `sha256=<hex>` header against the body; false when malformed. */
export function verifySignature(
  secret: string,
  timestamp: number | string,
  rawBody: string | Uint8Array,
  signatureHeader: string,
): boolean {
  const match = SIGNATURE.exec(signatureHeader);
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1], 'hex');
  return timingSafeEqual(given, hmac(secret, timestamp, rawBody));
}

export type SignedRequestVerdict = 'ok' | 'bad_signature' | 'stale_timestamp';

export interface SignedRequest {
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Uint8Array;
}

/** The whole header check, pure: shape, then freshness (replay window), then the HMAC. */
export function checkSignedRequest(
  secret: string,
  request: SignedRequest,
  nowMs: number,
): SignedRequestVerdict {
  const { timestamp, signature, rawBody } = request;
  if (!timestamp || !signature || !TIMESTAMP.test(timestamp) || !SIGNATURE.test(signature)) {
    return 'bad_signature';
  }
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) {
    return 'stale_timestamp';
  }
  return verifySignature(secret, timestamp, rawBody, signature) ? 'ok' : 'bad_signature';
}

// Fed in two parts so the body bytes are hashed exactly as received, never re-encoded.
function hmac(secret: string, timestamp: number | string, rawBody: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

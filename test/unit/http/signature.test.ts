import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignedRequest, signBody, verifySignature } from '../../../src/http/signature.js';

const SECRET = 'test-shared-secret-0123456789';
const BODY = '{"id":"x"}';

describe('signature', () => {
  it('signs "<timestamp>.<raw body>" with HMAC-SHA256, as the master does', () => {
    const expected = createHmac('sha256', SECRET).update(`1700000000.${BODY}`).digest('hex');
    expect(signBody(SECRET, 1700000000, BODY)).toBe(`sha256=${expected}`);
    expect(signBody(SECRET, '1700000000', Buffer.from(BODY))).toBe(`sha256=${expected}`);
  });

  it('verifies its own signature and rejects any change', () => {
    const sig = signBody(SECRET, 1700000000, BODY);
    expect(verifySignature(SECRET, 1700000000, BODY, sig)).toBe(true);
    expect(verifySignature(SECRET, 1700000000, BODY, sig.toUpperCase().replace('SHA', 'sha'))).toBe(
      true,
    );
    expect(verifySignature(SECRET, 1700000001, BODY, sig)).toBe(false);
    expect(verifySignature(SECRET, 1700000000, `${BODY} `, sig)).toBe(false);
    expect(verifySignature('another-secret-000000', 1700000000, BODY, sig)).toBe(false);
    expect(verifySignature(SECRET, 1700000000, BODY, 'sha256=00')).toBe(false);
    expect(verifySignature(SECRET, 1700000000, BODY, sig.slice('sha256='.length))).toBe(false);
  });

  it('judges freshness before the HMAC and malformed headers as bad signatures', () => {
    const now = 1700000000_000;
    const sign = (ts: number) => ({
      timestamp: String(ts),
      signature: signBody(SECRET, ts, BODY),
      rawBody: Buffer.from(BODY),
    });
    expect(checkSignedRequest(SECRET, sign(1700000000), now)).toBe('ok');
    expect(checkSignedRequest(SECRET, sign(1700000000 - 301), now)).toBe('stale_timestamp');
    expect(checkSignedRequest(SECRET, sign(1700000000 + 301), now)).toBe('stale_timestamp');
    expect(checkSignedRequest(SECRET, { ...sign(1700000000), timestamp: ' 1700000000' }, now)).toBe(
      'bad_signature',
    );
    expect(checkSignedRequest(SECRET, { ...sign(1700000000), signature: undefined }, now)).toBe(
      'bad_signature',
    );
  });
});

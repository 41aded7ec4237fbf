import type { z } from 'zod';
import { BridgeError } from '../errors.js';
import { bridgeEventSchema, type BridgeEvent } from '../schemas/event.schema.js';

/** Enough issues to fix a payload without turning one answer into a wall of text. */
const MAX_ISSUES = 5;

/** "data.subdomain: Too small: expected string to have >=1 characters; ..." */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = issues.length - shown.length;
  return more > 0 ? `${shown.join('; ')} (and ${more} more)` : shown.join('; ');
}

/** Turns an already signature-checked body into a typed event, or throws a 4xx BridgeError. */
export function parseEventBody(rawBody: Buffer, headerEventId: string): BridgeEvent {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new BridgeError('bad_request', 'body is not valid JSON', true);
  }
  const parsed = bridgeEventSchema.safeParse(json);
  if (!parsed.success) {
    throw new BridgeError('invalid_event', describeIssues(parsed.error.issues), true);
  }
  // the schema lower-cases the body's id; a UUID's case carries no meaning
  if (parsed.data.id !== headerEventId.toLowerCase()) {
    throw new BridgeError('bad_request', 'X-Saas-Event-Id does not match the body id', true);
  }
  return parsed.data;
}

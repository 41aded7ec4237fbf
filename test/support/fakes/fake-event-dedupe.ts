import type { ClaimState, EventDedupePort } from '../../../src/ports/event-dedupe.port.js';

/** Claims in memory; JavaScript runs one claim at a time, as Redis does. */
export class FakeEventDedupe implements EventDedupePort {
  readonly keys = new Map<string, { state: ClaimState; ttlSeconds: number }>();

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    if (this.keys.has(key)) return false;
    this.keys.set(key, { state: 'pending', ttlSeconds });
    return true;
  }

  async settle(key: string, ttlSeconds: number): Promise<void> {
    this.keys.set(key, { state: 'done', ttlSeconds });
  }

  async release(key: string): Promise<void> {
    if (this.keys.get(key)?.state === 'pending') this.keys.delete(key);
  }

  async stateOf(key: string): Promise<ClaimState | undefined> {
    return this.keys.get(key)?.state;
  }
}

/**
 * Failed logins per client address: after `maxFailures` within `windowMs` the address is locked
 * out for `lockoutMs`, the right password included (a guesser learns nothing while locked).
 */
export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

export const LOGIN_THROTTLE: ThrottlePolicy = {
  maxFailures: 5,
  windowMs: 10 * 60_000,
  lockoutMs: 15 * 60_000,
};

// bounds memory under a spray from many addresses; the oldest entries go first
const MAX_TRACKED = 10_000;

interface Entry {
  failures: number;
  firstAt: number;
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly policy: ThrottlePolicy = LOGIN_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** ms until `client` may try again; 0 when it may now */
  lockedFor(client: string): number {
    const entry = this.entries.get(client);
    return entry ? Math.max(0, entry.lockedUntil - this.now()) : 0;
  }

  failed(client: string): void {
    const now = this.now();
    let entry = this.entries.get(client);
    if (!entry || now - entry.firstAt > this.policy.windowMs) {
      entry = { failures: 0, firstAt: now, lockedUntil: 0 };
    }
    entry.failures += 1;
    if (entry.failures >= this.policy.maxFailures) entry.lockedUntil = now + this.policy.lockoutMs;
    this.entries.delete(client); // re-inserted last: the map's order is the eviction order
    this.entries.set(client, entry);
    if (this.entries.size > MAX_TRACKED) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  succeeded(client: string): void {
    this.entries.delete(client);
  }
}

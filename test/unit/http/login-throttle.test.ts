import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../../src/http/login-throttle.js';

describe('LoginThrottle', () => {
  const policy = { maxFailures: 3, windowMs: 1_000, lockoutMs: 5_000 };

  it('locks an address after maxFailures within the window, for lockoutMs, and only that address', () => {
    let now = 0;
    const throttle = new LoginThrottle(policy, () => now);
    throttle.failed('10.0.0.1');
    throttle.failed('10.0.0.1');
    expect(throttle.lockedFor('10.0.0.1')).toBe(0);
    throttle.failed('10.0.0.1');
    expect(throttle.lockedFor('10.0.0.1')).toBe(5_000);
    expect(throttle.lockedFor('10.0.0.2')).toBe(0);
    now = 4_000;
    expect(throttle.lockedFor('10.0.0.1')).toBe(1_000);
    now = 5_000;
    expect(throttle.lockedFor('10.0.0.1')).toBe(0);
  });

  it('starts counting again once the window has passed', () => {
    let now = 0;
    const throttle = new LoginThrottle(policy, () => now);
    throttle.failed('a');
    throttle.failed('a');
    now = 1_500;
    throttle.failed('a');
    expect(throttle.lockedFor('a')).toBe(0);
  });
});

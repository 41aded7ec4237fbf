import { describe, expect, it } from 'vitest';
import { idleMsOf, idleVerdict } from '../../../src/services/idle-decision.js';

const NOW = new Date('2026-12-02T06:00:00Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const THIRTY = 30 * 60_000;

describe('the idle decision', () => {
  it('takes the plan minutes; none or 0 is never', () => {
    expect(idleMsOf({ idleMinutes: 30 })).toBe(THIRTY);
    expect(idleMsOf({ idleMinutes: 0 })).toBe(0);
    expect(idleMsOf({})).toBe(0);
    expect(idleVerdict(0, { startedAt: ago(600), lastRequestAt: undefined }, NOW)).toEqual({
      sleep: false,
      reason: 'never',
    });
  });

  it('sleeps a tenant whose last visitor came longer ago than the idle time', () => {
    expect(idleVerdict(THIRTY, { startedAt: ago(120), lastRequestAt: ago(31) }, NOW)).toEqual({
      sleep: true,
      idleForMs: 31 * 60_000,
    });
  });

  it('keeps a tenant visited within the idle time awake', () => {
    expect(idleVerdict(THIRTY, { startedAt: ago(120), lastRequestAt: ago(29) }, NOW)).toEqual({
      sleep: false,
      reason: 'recent request',
    });
  });

  it('counts from the start of a tenant nobody visited since (just woken, or just made)', () => {
    expect(idleVerdict(THIRTY, { startedAt: ago(10), lastRequestAt: undefined }, NOW)).toEqual({
      sleep: false,
      reason: 'recently started',
    });
    expect(idleVerdict(THIRTY, { startedAt: ago(45), lastRequestAt: undefined }, NOW)).toEqual({
      sleep: true,
      idleForMs: 45 * 60_000,
    });
    // a request older than the start (logged before a restart) does not make it older
    expect(idleVerdict(THIRTY, { startedAt: ago(10), lastRequestAt: ago(50) }, NOW).sleep).toBe(
      false,
    );
  });

  it('never sleeps a container that does not run', () => {
    expect(idleVerdict(THIRTY, { startedAt: undefined, lastRequestAt: undefined }, NOW)).toEqual({
      sleep: false,
      reason: 'not running',
    });
  });
});

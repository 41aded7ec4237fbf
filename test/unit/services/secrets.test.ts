import { describe, expect, it } from 'vitest';
import { escapeHtml, strongPassword } from '../../../src/services/secrets.js';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

describe('strongPassword', () => {
  it('has 20 characters by default and the asked length otherwise', () => {
    expect(strongPassword()).toHaveLength(20);
    for (const length of [1, 8, 32, 64, 200]) expect(strongPassword(length)).toHaveLength(length);
  });

  it('uses only characters without look-alikes', () => {
    const sample = Array.from({ length: 200 }, () => strongPassword(32)).join('');
    expect(sample).toMatch(/^[A-HJ-NP-Za-km-z2-9]+$/);
    for (const lookAlike of ['0', 'O', '1', 'l', 'I']) expect(sample).not.toContain(lookAlike);
  });

  it('uses the whole alphabet, roughly evenly', () => {
    const sample = Array.from({ length: 500 }, () => strongPassword(40)).join('');
    const counts = new Map<string, number>();
    for (const c of sample) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(ALPHABET.length);
    const expected = sample.length / ALPHABET.length;
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(expected * 0.6);
      expect(count).toBeLessThan(expected * 1.4);
    }
  });

  it('never repeats itself', () => {
    const passwords = new Set(Array.from({ length: 10_000 }, () => strongPassword()));
    expect(passwords.size).toBe(10_000);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&#60;a href=&#34;x&#34;&#62;Tom &#38; Jerry&#39;s&#60;/a&#62;',
    );
    expect(escapeHtml('plain ñ text')).toBe('plain ñ text');
  });
});

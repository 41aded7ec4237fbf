import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { VALID_ENV } from './fixtures/valid-env.js';

const VALID: Record<string, string> = { ...VALID_ENV };

describe('hibernation settings', () => {
  it('scan every minute, the wake handler on the bridge own port by default', () => {
    expect(loadConfig({ ...VALID, BRIDGE_PORT: '3100', WAKE_UPSTREAM: '' }).hibernation).toEqual({
      scanSeconds: 60,
      wakeUpstream: '127.0.0.1:3100',
    });
    expect(
      loadConfig({ ...VALID, HIBERNATION_SCAN_SECONDS: '0', WAKE_UPSTREAM: 'bridge:3000' })
        .hibernation,
    ).toEqual({ scanSeconds: 0, wakeUpstream: 'bridge:3000' });
  });

  it.each([
    ['WAKE_UPSTREAM', 'http://bridge:3000'],
    ['WAKE_UPSTREAM', 'bridge'],
    ['HIBERNATION_SCAN_SECONDS', '-1'],
    ['HIBERNATION_SCAN_SECONDS', 'often'],
  ])('refuses %s=%j, naming it', (name, value) => {
    expect(() => loadConfig({ ...VALID, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...VALID, [name]: value })).toThrow(name);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const VALID: Record<string, string> = {
  BRIDGE_SHARED_SECRET: 'a-long-random-shared-secret-0123',
  BULL_BOARD_USER: 'queue-operator',
  BULL_BOARD_PASSWORD: 'a-strong-board-password',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  ODOO_URL: 'http://127.0.0.1:8069/',
  ODOO_DB: 'saas_master',
  ODOO_LOGIN: 'saas_bridge',
  ODOO_PASSWORD: 'odoo-secret',
  PG_ADMIN_URL: 'postgres://saas_admin:secret@127.0.0.1:5432/postgres',
  PG_TEMPLATE_PASSWORD: 'template-secret',
  BASE_DOMAIN: 'saas.example.com',
  SMTP_URL: 'smtp://127.0.0.1:1025',
  MAIL_FROM: 'Odoo SaaS <no-reply@example.com>',
};

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

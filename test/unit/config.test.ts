import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { VALID_ENV } from './fixtures/valid-env.js';

const VALID: Record<string, string> = { ...VALID_ENV };

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('parses a valid environment into typed values with defaults', () => {
    const config = loadConfig({
      ...VALID,
      PUBLIC_URL_PORT: '',
      TENANT_DB_HOST: '',
      BRIDGE_PORT: '3100',
    });
    expect(config.env).toBe('development');
    expect(config.http).toEqual({ port: 3100, host: '127.0.0.1' });
    expect(config.odoo.url).toBe('http://127.0.0.1:8069');
    expect(config.odoo.publicUrl).toBe('http://127.0.0.1:8069');
    expect(config.postgres.tenantHost).toBeUndefined();
    expect(config.postgres.templateUser).toBe('saas_template');
    expect(config.proxy).toMatchObject({ scheme: 'https', port: undefined, server: 'saas' });
    expect(config.docker).toMatchObject({
      network: 'saas_tenants',
      subnet: '172.30.0.0/24',
      uid: 101,
    });
    expect(config.jobs).toEqual({
      provisionConcurrency: 2,
      readyTimeoutMs: 90_000,
      reconcileIntervalSeconds: 300,
    });
  });

  it('coerces numbers and keeps an explicit public port', () => {
    const config = loadConfig({ ...VALID, PUBLIC_URL_PORT: '8080', PUBLIC_URL_SCHEME: 'http' });
    expect(config.proxy.port).toBe(8080);
    expect(config.proxy.scheme).toBe('http');
  });

  it.each(Object.keys(VALID))('names a missing %s in one line', (name) => {
    const env: Record<string, string | undefined> = { ...VALID };
    delete env[name];
    const err = configError(env);
    expect(err.message).toContain(`${name} is missing`);
    expect(err.message).not.toContain('\n');
    const others = Object.keys(VALID).filter((n) => n !== name && !n.startsWith(`${name}_`));
    for (const other of others) expect(err.message).not.toContain(`${other} `);
  });

  it('checks custom domains on port 80 through CADDY_SERVER unless told otherwise', () => {
    const plain = loadConfig({ ...VALID, CADDY_CHALLENGE_SERVER: '' });
    expect(plain.proxy.domainCheckPort).toBe(80);
    expect(plain.proxy.challengeServer).toBe(plain.proxy.server);
    const compose = loadConfig({
      ...VALID,
      CADDY_SERVER: 'srv0',
      CADDY_CHALLENGE_SERVER: 'srv1',
      CUSTOM_DOMAIN_CHECK_PORT: '18480',
    });
    expect([compose.proxy.challengeServer, compose.proxy.domainCheckPort]).toEqual(['srv1', 18480]);
    expect(configError({ ...VALID, CADDY_CHALLENGE_SERVER: 'a b' }).message).toContain(
      'CADDY_CHALLENGE_SERVER',
    );
  });

  it('reads a blank optional URL as unset and falls back to ODOO_URL', () => {
    const config = loadConfig({ ...VALID, MASTER_PUBLIC_URL: '', SUSPENDED_PAGE_URL: '' });
    expect(config.odoo.publicUrl).toBe(config.odoo.url);
    expect(config.proxy.suspendedPageUrl).toBeUndefined();
  });

  it('names every bad variable with the reason in the same line', () => {
    const err = configError({ ...VALID, REDIS_URL: 'http://x', BRIDGE_SHARED_SECRET: 'short' });
    expect(err.message).toMatch(/^invalid configuration: /);
    expect(err.message).toContain('BRIDGE_SHARED_SECRET must be at least 16 characters; ');
    expect(err.message).toContain('REDIS_URL Invalid URL');
    expect(err.message).not.toContain('\n');
  });

  it('passes only AWS_* through to restic, with the repository base', () => {
    const config = loadConfig({
      ...VALID,
      RESTIC_PASSWORD: 'a-long-random-restic-password',
      RESTIC_REPOSITORY_BASE: 's3:https://s3.example.com/backups',
      AWS_ACCESS_KEY_ID: 'key-id',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_DEFAULT_REGION: '',
    });
    expect(config.backup).toEqual({
      repositoryBase: 's3:https://s3.example.com/backups',
      password: 'a-long-random-restic-password',
      storageEnv: { AWS_ACCESS_KEY_ID: 'key-id', AWS_SECRET_ACCESS_KEY: 'secret' },
      masterFilestoreDir: undefined,
      masterIntervalHours: 24,
      masterKeep: 14,
      checkReadData: '5%',
    });
    expect(configError({ ...VALID, BACKUP_CHECK_READ_DATA: 'all' }).message).toContain(
      'BACKUP_CHECK_READ_DATA',
    );
    expect(loadConfig({ ...VALID, RESTIC_PASSWORD: '' }).backup.password).toBeUndefined();
  });

  describe('in production', () => {
    const production = {
      ...VALID,
      NODE_ENV: 'production',
      TENANT_BRIDGE_SECRET: 'a-tenant-bridge-secret-of-32-chars-or-more',
      RESTIC_PASSWORD: 'a-long-random-restic-password',
    };

    it('accepts non-default credentials', () => {
      expect(loadConfig(production).env).toBe('production');
    });

    it.each([
      ['BULL_BOARD_PASSWORD', 'change-me'],
      ['BULL_BOARD_PASSWORD', 'password'],
      ['BULL_BOARD_USER', 'ops'],
      ['BULL_BOARD_USER', 'admin'],
      ['BRIDGE_SHARED_SECRET', 'change-me-to-32-random-bytes'],
      ['RESTIC_PASSWORD', 'change-me'],
      ['RESTIC_PASSWORD', ''],
    ])('refuses the default %s "%s"', (name, value) => {
      const err = configError({ ...production, [name]: value });
      expect(err.message).toContain(name);
      expect(err.message).toContain('production');
    });

    it('refuses a Bull Board password shorter than 12 characters', () => {
      const err = configError({ ...production, BULL_BOARD_PASSWORD: 'elevenchars' });
      expect(err.message).toContain('BULL_BOARD_PASSWORD');
      expect(err.message).toContain('12+ characters');
    });

    it('accepts the same defaults outside production', () => {
      const dev = { ...VALID, BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'change-me' };
      expect(loadConfig(dev).bullBoard).toEqual({ user: 'ops', password: 'change-me' });
    });

    it('requires its own TENANT_BRIDGE_SECRET', () => {
      const err = configError({ ...production, TENANT_BRIDGE_SECRET: '' });
      expect(err.message).toContain('TENANT_BRIDGE_SECRET must not be empty');
    });
  });

  describe('tenant identity', () => {
    it('derives a stable tenant bridge secret from the shared one when none is set', () => {
      const a = loadConfig({ ...VALID, TENANT_BRIDGE_SECRET: '' });
      const b = loadConfig(VALID);
      expect(a.tenantBridgeSecret).toMatch(/^[0-9a-f]{64}$/);
      expect(a.tenantBridgeSecret).toBe(b.tenantBridgeSecret);
      expect(a.tenantBridgeSecret).not.toContain(VALID.BRIDGE_SHARED_SECRET);
      const own = 'x'.repeat(32);
      expect(loadConfig({ ...VALID, TENANT_BRIDGE_SECRET: own }).tenantBridgeSecret).toBe(own);
    });

    it('refuses a short tenant bridge secret and a malformed owner', () => {
      expect(configError({ ...VALID, TENANT_BRIDGE_SECRET: 'short' }).message).toContain(
        'TENANT_BRIDGE_SECRET must be at least 32 characters',
      );
      expect(configError({ ...VALID, SAAS_OWNER: 'not a uuid!' }).message).toContain(
        'SAAS_OWNER must be 8-64 letters',
      );
      expect(loadConfig({ ...VALID, SAAS_OWNER: '' }).owner).toBeUndefined();
      expect(loadConfig({ ...VALID, SAAS_OWNER: '0f1e2d3c-aaaa' }).owner).toBe('0f1e2d3c-aaaa');
    });
  });
});

describe('loadConfig: the ops logins', () => {
  it('takes a read-only board login and an ops token when given, none by default', () => {
    expect(loadConfig(VALID)).toMatchObject({
      bullBoard: { readOnly: undefined },
      opsToken: undefined,
    });
    const config = loadConfig({
      ...VALID,
      BULL_BOARD_READONLY_USER: 'viewer',
      BULL_BOARD_READONLY_PASSWORD: 'viewer-password-1',
      OPS_TOKEN: 'ops-token-0123456789',
    });
    expect(config.bullBoard.readOnly).toEqual({ user: 'viewer', password: 'viewer-password-1' });
    expect(config.opsToken).toBe('ops-token-0123456789');
  });

  it.each([
    [{ BULL_BOARD_READONLY_USER: 'viewer' }, 'go together'],
    [
      { BULL_BOARD_READONLY_USER: 'queue-operator', BULL_BOARD_READONLY_PASSWORD: 'x'.repeat(12) },
      'must differ',
    ],
    [
      { BULL_BOARD_READONLY_USER: 'viewer', BULL_BOARD_READONLY_PASSWORD: 'short' },
      'BULL_BOARD_READONLY_PASSWORD must be at least 12',
    ],
    [{ OPS_TOKEN: 'short' }, 'OPS_TOKEN must be at least 16'],
  ])('refuses %o', (extra, message) => {
    expect(configError({ ...VALID, ...extra }).message).toContain(message);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { servicesRequired, unavailable } from '../../support/integration/availability.js';

const away = async () => {
  throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
};

describe('unavailable (how every integration suite meets a missing service)', () => {
  it('answers nothing when the service is there', async () => {
    expect(await unavailable('Redis', async () => 'PONG', {})).toBeUndefined();
  });

  it('skips with the reason on a developer machine', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await unavailable('Redis', away, { SAAS_REQUIRE_SERVICES: '0' })).toBe(
        'Redis unavailable: connect ECONNREFUSED 127.0.0.1:6379',
      );
      expect(printed).toHaveBeenCalledWith(
        'SKIP Redis unavailable: connect ECONNREFUSED 127.0.0.1:6379',
      );
    } finally {
      printed.mockRestore();
    }
  });

  it.each([
    [{ SAAS_REQUIRE_SERVICES: '1' }, 'SAAS_REQUIRE_SERVICES=1'],
    [{ CI: 'true' }, 'CI is set'],
  ])('fails the suite, naming the service, when %o', async (env, why) => {
    await expect(unavailable('Redis', away, env)).rejects.toThrow(
      `Redis unavailable: connect ECONNREFUSED 127.0.0.1:6379 (required: ${why})`,
    );
  });

  it('reads "0", "false" and empty as not required', () => {
    for (const value of ['0', 'false', '', 'no'])
      expect(servicesRequired({ SAAS_REQUIRE_SERVICES: value, CI: value })).toBeUndefined();
  });
});

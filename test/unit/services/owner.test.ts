import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../../src/errors.js';
import { resolveOwner } from '../../../src/services/owner.js';
import { FakeOdoo } from '../../support/fakes/fake-odoo.js';

const logger = pino({ level: 'silent' });

describe('resolveOwner', () => {
  it("takes SAAS_OWNER when set, else the master's database uuid", async () => {
    const odoo = new FakeOdoo();
    const options = { timeoutMs: 100, retryMs: 10 };
    expect(await resolveOwner(odoo, logger, { ...options, configured: 'from-config-1' })).toBe(
      'from-config-1',
    );
    expect(await resolveOwner(odoo, logger, { ...options, configured: undefined })).toBe(
      odoo.owner,
    );
  });

  it('waits for a master still starting', async () => {
    const odoo = new FakeOdoo();
    let calls = 0;
    odoo.ownerId = async () => {
      calls += 1;
      if (calls < 3) throw new BridgeError('odoo_unreachable', 'connection refused');
      return 'late-master-uuid';
    };
    const owner = await resolveOwner(odoo, logger, {
      configured: undefined,
      timeoutMs: 1_000,
      retryMs: 10,
    });
    expect(owner).toBe('late-master-uuid');
    expect(calls).toBe(3);
  });

  it('stops the start with a line saying what to do when the master never answers', async () => {
    const odoo = new FakeOdoo();
    odoo.ownerId = async () => {
      throw new BridgeError('odoo_unreachable', 'connection refused');
    };
    await expect(
      resolveOwner(odoo, logger, { configured: undefined, timeoutMs: 50, retryMs: 10 }),
    ).rejects.toThrow(/cannot read the owner .*connection refused; set SAAS_OWNER/);
  });
});

import { describe, expect, it } from 'vitest';
import { InjectedFault, type FaultMode } from '../../support/fakes/call-log.js';
import { expectRunningTenant } from '../../support/expect-world.js';
import { namesOf, worldWithInstance } from '../../support/world.js';

/**
 * A job can die at any port call (process killed, Redis or Docker away) and is then run again.
 * Each step of a clean run is made to fail once, before it acts ("crash") or after it acted with
 * the answer lost ("lost answer"); the retried provisioning must converge on the same single tenant.
 */
const happy = await worldWithInstance();
await happy.provisioning.provision(1);
const steps = happy.log.calls.map((name, index) => ({ index, name }));
// A template lock taken whose answer was lost stays with an owner nobody knows until its TTL (20 min)
// ends: the retry waits for it (up to the 15 min build deadline) instead of converging at once.
const afterSteps = steps.filter((s) => s.name !== 'locks.lock');

describe('provisioning resumed after a failure at each step', () => {
  it('has the steps this test expects to break', () => {
    for (const step of [
      'db.cloneDatabase',
      'docker.createContainer',
      'tenant.configure',
      'welcome.queue',
    ]) {
      expect(happy.log.calls).toContain(step);
    }
  });

  describe.each<[string, FaultMode, typeof steps]>([
    ['crash', 'before', steps],
    ['lost answer', 'after', afterSteps],
  ])('%s', (_label, mode, cases) => {
    it.each(cases)('at call $index ($name) converges', async ({ index }) => {
      const world = await worldWithInstance();
      world.log.crashAt(index, mode);
      await expect(world.provisioning.provision(1)).rejects.toBeInstanceOf(InjectedFault);
      expect(await world.provisioning.provision(1)).toMatch(/^(running|already-running)$/);
      expectRunningTenant(world);
      expect(world.db.clonesOf(world.db.get(namesOf(1).db).clonedFrom ?? '')).toHaveLength(1);
    });
  });

  it('clones and creates once over a crash and two retries', async () => {
    const world = await worldWithInstance();
    world.log.crashAt(steps.find((s) => s.name === 'tenant.waitReady')?.index ?? -1);
    await expect(world.provisioning.provision(1)).rejects.toBeInstanceOf(InjectedFault);
    await world.provisioning.provision(1);
    await world.provisioning.provision(1);
    expect(world.log.count('db.cloneDatabase')).toBe(1);
    expect(world.log.count('docker.createContainer')).toBe(1);
  });
});

import type { LockPort } from '../../../src/ports/lock.port.js';

/** Locks in memory (no expiry): re-entrant for the same owner, refused to others. */
export class FakeLocks implements LockPort {
  readonly held = new Map<string, string>();
  refusals = 0;

  async lock(resource: string, owner: string): Promise<boolean> {
    const holder = this.held.get(resource);
    if (holder !== undefined && holder !== owner) {
      this.refusals += 1;
      return false;
    }
    this.held.set(resource, owner);
    return true;
  }

  async unlock(resource: string, owner: string): Promise<void> {
    if (this.held.get(resource) === owner) this.held.delete(resource);
  }
}

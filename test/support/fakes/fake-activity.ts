import type { ActivityPort, TenantActivity } from '../../../src/ports/activity.port.js';
import type { FakeDocker } from './fake-docker.js';

/**
 * Visitors in memory: when each container started and was last asked something. A running
 * container of the fake engine without a start time set here started long ago.
 */
export class FakeActivity implements ActivityPort {
  readonly startedAt = new Map<string, Date>();
  readonly lastRequestAt = new Map<string, Date>();
  readonly asked: { container: string; since: Date }[] = [];

  constructor(private readonly docker: FakeDocker) {}

  async activity(container: string, since: Date): Promise<TenantActivity | undefined> {
    this.asked.push({ container, since });
    const found = this.docker.containers.get(container);
    if (!found) return undefined;
    if (found.status !== 'running') return { startedAt: undefined, lastRequestAt: undefined };
    const last = this.lastRequestAt.get(container);
    return {
      startedAt: this.startedAt.get(container) ?? new Date(0),
      lastRequestAt: last && last >= since ? last : undefined,
    };
  }
}

import { describe, expect, it } from 'vitest';
import {
  currentSlotStart,
  dueBackups,
  slotOffsetMs,
} from '../../../src/services/backup-schedule.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-12-01T20:00:00Z');

describe('backup schedule', () => {
  it('spreads 500 daily tenants over the whole day', () => {
    const hours = new Set<number>();
    for (let id = 1; id <= 500; id += 1) hours.add(Math.floor(slotOffsetMs(id, 24 * HOUR) / HOUR));
    expect(hours.size).toBe(24);
  });

  it('keeps an instance on the same slot whatever the time of the run', () => {
    const a = currentSlotStart(7, 24, NOW);
    expect(a).toBeLessThanOrEqual(NOW);
    expect(NOW - a).toBeLessThan(24 * HOUR);
    expect(currentSlotStart(7, 24, NOW + 60_000)).toBe(a);
    expect(currentSlotStart(7, 24, a + 24 * HOUR)).toBe(a + 24 * HOUR);
  });

  it('asks for a backup once per slot: never backed up or older than the slot', () => {
    const slot = currentSlotStart(3, 6, NOW);
    const due = dueBackups(
      [
        { instanceId: 3, intervalHours: 6, newestBackupAt: undefined },
        { instanceId: 4, intervalHours: 6, newestBackupAt: NOW },
        { instanceId: 5, intervalHours: 168, newestBackupAt: 0 },
      ],
      NOW,
    );
    expect(due).toEqual([
      { instanceId: 3, slotStart: slot },
      { instanceId: 5, slotStart: currentSlotStart(5, 168, NOW) },
    ]);
  });
});

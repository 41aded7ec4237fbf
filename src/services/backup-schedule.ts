import { createHash } from 'node:crypto';

const HOUR_MS = 3_600_000;

/**
 * Where in each interval an instance's backup falls: a fixed offset from a hash of its id, so 500
 * tenants on a daily plan spread over the day instead of all dumping at midnight, and a restart
 * of the bridge does not move anyone's slot.
 */
export function slotOffsetMs(instanceId: number, intervalMs: number): number {
  const hash = createHash('sha256').update(`backup-slot:${instanceId}`).digest();
  return Number(hash.readBigUInt64BE(0) % BigInt(Math.max(intervalMs, 1)));
}

/** start of the current slot of an instance: the last time <= now its backup was due */
export function currentSlotStart(instanceId: number, intervalHours: number, now: number): number {
  const interval = intervalHours * HOUR_MS;
  const offset = slotOffsetMs(instanceId, interval);
  return Math.floor((now - offset) / interval) * interval + offset;
}

export interface ScheduleInput {
  instanceId: number;
  intervalHours: number;
  /** newest finished backup, ms since epoch */
  newestBackupAt: number | undefined;
}

/**
 * The instances whose backup of the current slot is still missing, with that slot's start
 * (part of the job id, so one slot queues one backup however often the planner runs).
 */
export function dueBackups(
  inputs: ScheduleInput[],
  now: number,
): { instanceId: number; slotStart: number }[] {
  return inputs.flatMap((input) => {
    const slotStart = currentSlotStart(input.instanceId, input.intervalHours, now);
    const done = input.newestBackupAt !== undefined && input.newestBackupAt >= slotStart;
    return done ? [] : [{ instanceId: input.instanceId, slotStart }];
  });
}

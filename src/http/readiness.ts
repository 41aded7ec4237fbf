import { errorMessage } from '../errors.js';
import type { ReadinessCheck } from '../ports/intake.port.js';

export const READINESS_TIMEOUT_MS = 3_000;

export interface ReadinessReport {
  ready: boolean;
  /** "ok" or why the check failed, by check name */
  checks: Record<string, string>;
}

/** Runs every check in parallel; a hung dependency fails its check instead of hanging /readyz. */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const outcomes = await Promise.all(
    checks.map(async (c) => {
      try {
        // called as a method (checks may be class instances); a sync throw becomes a rejection
        await withTimeout(
          Promise.resolve().then(() => c.check()),
          timeoutMs,
        );
        return [c.name, 'ok'] as const;
      } catch (err) {
        return [c.name, errorMessage(err) || 'failed'] as const;
      }
    }),
  );
  return {
    ready: outcomes.every(([, outcome]) => outcome === 'ok'),
    checks: Object.fromEntries(outcomes),
  };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

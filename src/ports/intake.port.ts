import type { BridgeEvent } from '../schemas/event.schema.js';

export interface IntakeResult {
  duplicate: boolean;
  jobId: string | undefined;
}

/** Turns a verified, validated event into queued work (services/event-intake.service.ts). */
export interface EventIntakePort {
  accept(event: BridgeEvent): Promise<IntakeResult>;
}

/** A dependency /readyz checks. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

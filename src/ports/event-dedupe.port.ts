/** What a dedupe key holds: its holder is still queueing the job, or the job is queued. */
export type ClaimState = 'pending' | 'done';

/**
 * Event ids already taken, in a store every bridge process shares (Redis), so that concurrent
 * deliveries of one event queue one job and get one "accepted" answer between them.
 */
export interface EventDedupePort {
  /** takes `key` for `ttlSeconds` in one atomic step (SET NX EX); false when it is held */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  /** the holder's job is queued: the key is kept `ttlSeconds` more, as done */
  settle(key: string, ttlSeconds: number): Promise<void>;
  /** the holder failed before queueing: frees a still pending key, so a resend can claim it */
  release(key: string): Promise<void>;
  /** undefined when nobody holds the key */
  stateOf(key: string): Promise<ClaimState | undefined>;
}

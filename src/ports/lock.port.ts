/** Mutual exclusion across bridge processes (Redis-backed in production). */
export interface LockPort {
  /** true when taken; the same owner may take it again */
  lock(resource: string, owner: string, ttlSeconds: number): Promise<boolean>;
  unlock(resource: string, owner: string): Promise<void>;
}

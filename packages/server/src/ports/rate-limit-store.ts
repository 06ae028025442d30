/** Counters for per-account rate limits: in memory (embedded) or Redis (shared by every API replica). */
export interface RateLimitHit {
  /** Requests counted in the current window, this one included. */
  count: number;
  /** When the window ends (epoch ms). */
  resetAt: number;
}

export interface RateLimitStore {
  /** The count at once where the store is in this process (no promise: see maybe-async.ts), else a promise of it. */
  hit(key: string, windowMs: number, nowMs: number): RateLimitHit | Promise<RateLimitHit>;
}

/** Fixed-window counters in this process (embedded deployment: one process serves every request). */
import type { RateLimitHit, RateLimitStore } from '../ports/rate-limit-store.js';

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, RateLimitHit>();
  private lastSweep = 0;

  hit(key: string, windowMs: number, nowMs: number): RateLimitHit {
    // Drop finished windows now and then, so idle accounts do not accumulate.
    if (nowMs - this.lastSweep > windowMs) {
      for (const [k, w] of this.windows) if (w.resetAt <= nowMs) this.windows.delete(k);
      this.lastSweep = nowMs;
    }
    let w = this.windows.get(key);
    if (!w || w.resetAt <= nowMs) {
      w = { count: 0, resetAt: Math.floor(nowMs / windowMs) * windowMs + windowMs };
      this.windows.set(key, w);
    }
    w.count += 1;
    return { count: w.count, resetAt: w.resetAt };
  }
}

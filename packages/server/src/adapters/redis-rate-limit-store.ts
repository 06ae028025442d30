/**
 * Rate-limit counters in Redis, shared by every API replica (scale-out). The same fixed windows as the memory store
 * (adapters/memory-rate-limit-store.ts): a window starts at a multiple of `windowMs`, so every replica counts into the
 * same window without agreeing on anything but the clock. One round trip per hit: INCR the window's key and set it to
 * expire at the window's end (plus a grace period, so a replica whose clock runs a little behind still finds it).
 */
import type { Redis } from 'ioredis';
import type { RateLimitHit, RateLimitStore } from '../ports/rate-limit-store.js';

/** Keys outlive their window by this much: a counter must not vanish while a lagging replica still counts into it. */
const EXPIRY_GRACE_MS = 10_000;

export class RedisRateLimitStore implements RateLimitStore {
  /** `prefix` namespaces the keys (one Redis shared by several deployments, or by tests). */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hit(key: string, windowMs: number, nowMs: number): Promise<RateLimitHit> {
    const windowStart = Math.floor(nowMs / windowMs) * windowMs;
    const resetAt = windowStart + windowMs;
    const redisKey = `${this.prefix}rl:${key}:${windowStart}`;
    // A relative expiry: the window's end is on this process's clock, which need not agree with Redis's.
    const ttlMs = resetAt - nowMs + EXPIRY_GRACE_MS;
    const replies = await this.redis.multi().incr(redisKey).pexpire(redisKey, ttlMs).exec();
    const [incrError, count] = replies?.[0] ?? [new Error('Redis returned no reply to INCR'), null];
    if (incrError) throw incrError;
    return { count: Number(count), resetAt };
  }
}

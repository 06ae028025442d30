/**
 * The RateLimitStore port's behaviour, on both adapters: the memory store (embedded) and Redis (scale-out, where every
 * API replica counts into the same windows). Redis runs on every machine of this project; see testing/test-redis.ts.
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { RateLimitStore } from '../ports/rate-limit-store.js';
import { testRedis } from '../testing/test-redis.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import { RedisRateLimitStore } from './redis-rate-limit-store.js';

const MINUTE = 60_000;
/** A time inside a window, not at its start: 12:00:30 on some day. */
const T = Date.UTC(2026, 11, 7, 12, 0, 30);

/** Two stores over the same counters: two replicas on Redis; the one store of the one process in memory. */
type Replicas = { a: RateLimitStore; b: RateLimitStore };
type Setup = (t: TestContext) => Promise<Replicas | null>;

function rateLimitContract(name: string, setup: Setup) {
  describe(`RateLimitStore: ${name}`, () => {
    test('counts hits in a fixed window and says when it ends', async (t) => {
      const s = await setup(t);
      if (!s) return;
      assert.deepEqual(await s.a.hit('acct:1', MINUTE, T), { count: 1, resetAt: Date.UTC(2026, 11, 7, 12, 1) });
      assert.deepEqual(await s.a.hit('acct:1', MINUTE, T + 29_000), {
        count: 2,
        resetAt: Date.UTC(2026, 11, 7, 12, 1),
      });
    });

    test('a new window starts from zero', async (t) => {
      const s = await setup(t);
      if (!s) return;
      await s.a.hit('acct:1', MINUTE, T);
      await s.a.hit('acct:1', MINUTE, T);
      const next = await s.a.hit('acct:1', MINUTE, T + 30_000);
      assert.deepEqual(next, { count: 1, resetAt: Date.UTC(2026, 11, 7, 12, 2) });
    });

    test('keys are counted apart', async (t) => {
      const s = await setup(t);
      if (!s) return;
      await s.a.hit('acct:1', MINUTE, T);
      assert.equal((await s.a.hit('acct:2', MINUTE, T)).count, 1);
      assert.equal((await s.a.hit('authfail:127.0.0.1', MINUTE, T)).count, 1);
    });

    test('200 concurrent hits, half through each replica, are each counted exactly once', async (t) => {
      const s = await setup(t);
      if (!s) return;
      const hits = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 ? s.a : s.b).hit('acct:burst', MINUTE, T)),
      );
      const counts = hits.map((h) => h.count).sort((x, y) => x - y);
      assert.deepEqual(
        counts,
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
    });
  });
}

rateLimitContract('memory (one process)', async () => {
  const store = new MemoryRateLimitStore();
  return { a: store, b: store };
});

rateLimitContract('Redis (shared by replicas)', async (t) => {
  const r = await testRedis(t);
  if (!r) return null;
  t.after(() => r.cleanup());
  return {
    a: new RedisRateLimitStore(r.redis, r.prefix),
    b: new RedisRateLimitStore(r.connect(), r.prefix),
  };
});

test('Redis rate limits: the counter expires after its window, and an unreachable Redis fails the hit', async (t) => {
  const r = await testRedis(t);
  if (!r) return;
  t.after(() => r.cleanup());
  const store = new RedisRateLimitStore(r.redis, r.prefix);
  const now = Date.now();
  await store.hit('acct:ttl', 1000, now);
  const keys = await r.redis.keys(`${r.prefix}rl:acct:ttl:*`);
  assert.equal(keys.length, 1);
  const ttl = await r.redis.pttl(keys[0]!);
  // The window's end (≤ 1 s away) plus the grace period (10 s).
  assert.ok(ttl > 0 && ttl <= 11_000, `ttl ${ttl} ms`);

  const gone = r.connect();
  gone.disconnect();
  await assert.rejects(new RedisRateLimitStore(gone, r.prefix).hit('acct:x', MINUTE, now));
});

test("Redis rate limits: a process clock far from Redis's (a test clock, a skewed host) still counts", async (t) => {
  const r = await testRedis(t);
  if (!r) return;
  t.after(() => r.cleanup());
  const store = new RedisRateLimitStore(r.redis, r.prefix);
  const lastYear = Date.now() - 365 * 24 * 3600_000;
  await store.hit('acct:skew', MINUTE, lastYear);
  assert.equal((await store.hit('acct:skew', MINUTE, lastYear + 1_000)).count, 2);
});

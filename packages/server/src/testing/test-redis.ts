/**
 * The Redis the tests use: REDIS_TEST_URL (default the machine's own, redis://127.0.0.1:6379), with a key prefix of
 * their own (`fitroom-test:<random>:`) so that tests running side by side never see each other's keys, deleted
 * afterwards. An unreachable Redis skips the test, saying so, except under CI, where it fails: a green CI run must
 * have exercised the Redis adapters.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';

export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  /** A connection of the test's own (more with `connect()`). */
  redis: Redis;
  prefix: string;
  /** Another connection to the same Redis: what a second replica would hold. */
  connect(): Redis;
  /** Deletes the prefix's keys and closes every connection made here. */
  cleanup(): Promise<void>;
}

const START_HELP = 'start it with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""`';

function connection(): Redis {
  // No endless reconnecting in tests: a Redis that goes away fails the command instead of hanging it.
  return new Redis(REDIS_TEST_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
}

/** A prefixed Redis for one test, or null when none answers (after `t.skip`, outside CI). */
export async function testRedis(t: TestContext): Promise<TestRedis | null> {
  const redis = connection();
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    const why = `no Redis at ${REDIS_TEST_URL} (${(err as Error).message}); ${START_HELP}, or set REDIS_TEST_URL`;
    if (process.env.CI) throw new Error(why);
    t.skip(why);
    return null;
  }
  const prefix = `fitroom-test:${randomBytes(6).toString('hex')}:`;
  const opened: Redis[] = [redis];
  return {
    redis,
    prefix,
    connect() {
      const more = connection();
      opened.push(more);
      return more;
    },
    async cleanup() {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await Promise.all(opened.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

/** Whether test servers use Redis (the scale-out pass of `npm test` sets FITROOM_TEST_REDIS=1; see test-server.ts). */
export const testRedisEnabled = (): boolean => process.env.FITROOM_TEST_REDIS === '1';

/** A key prefix of a test server's own, for REDIS_PREFIX. */
export const newTestRedisPrefix = (): string => `fitroom-test:${randomBytes(6).toString('hex')}:`;

/** Deletes every key under `prefix` (what a test server left in Redis). */
export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = connection();
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/**
 * What REDIS_URL brings to a deployment (scale-out): rate-limit counters shared by every API replica, generation
 * wake-ups across processes, and the BullMQ job queue, all under one key prefix.
 */
import { Redis } from 'ioredis';
import { BullMqJobQueue } from './bullmq-job-queue.js';
import { RedisGenerationEvents } from './redis-generation-events.js';
import { RedisRateLimitStore } from './redis-rate-limit-store.js';

export interface RedisAdapters {
  rateLimits: RedisRateLimitStore;
  events: RedisGenerationEvents;
  queue: BullMqJobQueue;
  /**
   * Whether this process takes the periodic task `name` for the next `ttlMs`: the first process to ask in that time
   * gets it (SET NX PX), every other one is told no, so a sweep runs once across the cluster, not once per worker.
   */
  takeTurn(name: string, ttlMs: number): Promise<boolean>;
  /** Closes the queue and every connection opened here. */
  close(): Promise<void>;
}

/**
 * Connects (failing at start-up, not at the first request, when Redis does not answer). `onError` receives what
 * cannot be thrown to a caller: a failed wake-up publish.
 */
export async function connectRedisAdapters(
  url: string,
  prefix: string,
  onError: (err: unknown) => void,
): Promise<RedisAdapters> {
  // A command fails after one retry instead of waiting in a queue while Redis is away.
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', onError);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect(); // or it keeps reconnecting, and the process never exits
    throw new Error(`cannot reach Redis at ${whereIs(url)}: ${(err as Error).message}`);
  }
  const events = await RedisGenerationEvents.connect(redis, prefix, onError);
  const queue = new BullMqJobQueue({ url, prefix, onError });
  return {
    rateLimits: new RedisRateLimitStore(redis, prefix),
    events,
    queue,
    async takeTurn(name, ttlMs) {
      return (await redis.set(`${prefix}turn:${name}`, String(process.pid), 'PX', ttlMs, 'NX')) === 'OK';
    },
    async close() {
      await queue.close();
      await events.close();
      await redis.quit();
    },
  };
}

/** Host and port of a redis:// URL, without the password it may hold. */
function whereIs(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return 'REDIS_URL';
  }
}

/** At most one line per this interval while Redis is away: ioredis reports every reconnection attempt. */
const ERROR_LINE_EVERY_MS = 10_000;

/**
 * Reports Redis connection errors as log lines (pino's JSON shape, level error) on stderr, at most one per 10 s with
 * the count of those left out. The factory runs before the server's logger exists; the message of an ioredis error
 * names the host and port, never the password.
 */
export function redisErrorReporter(
  write: (line: string) => void = (line) => process.stderr.write(line),
  now: () => number = Date.now,
): (err: unknown) => void {
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (err) => {
    const t = now();
    if (t - last < ERROR_LINE_EVERY_MS) {
      suppressed++;
      return;
    }
    last = t;
    const message = err instanceof Error ? err.message : String(err);
    write(`${JSON.stringify({ level: 50, time: t, msg: 'Redis error', err: { message }, suppressed })}\n`);
    suppressed = 0;
  };
}

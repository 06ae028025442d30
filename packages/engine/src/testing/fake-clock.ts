/** A clock for tests of polling, backoff and circuit breakers: `sleep` records the delay and advances time at once. */
import type { EngineClock } from '../providers/http.js';

export interface FakeClock extends EngineClock {
  /** Every delay slept, in order (ms). */
  slept: number[];
  /** Moves time forward without a sleep (a test's "a minute later"). */
  advance(ms: number): void;
}

export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let t = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    advance(ms) {
      t += ms;
    },
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      slept.push(ms);
      t += ms;
    },
  };
}

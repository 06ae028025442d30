/**
 * Values that are there at once or later. The polling fast path (http/poll-fast-path.ts) answers most requests
 * without waiting on anything: a cached authentication, an in-memory rate-limit count, a synchronous SQLite read, a
 * locally signed URL. Each `await` of a value that is already there still costs a promise and a microtask turn: about
 * 6% of the request's CPU on that path when it awaited each step (perf, under polling load). The functions on it
 * return a promise only when they do wait (PostgreSQL, Redis, S3, a cache check), and `then` chains them without
 * turning the rest into promises. An `await` of such a value works as before.
 */
export type MaybePromise<T> = T | Promise<T>;

/**
 * `next(value)` now if `value` is there, else once it is. A throw in `next` propagates as it came: synchronously for a
 * value that was there, as a rejection otherwise.
 */
export function then<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

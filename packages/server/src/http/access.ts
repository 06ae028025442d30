/** Framework-neutral request bookkeeping shared by the Fastify app and the polling fast path. */
import { randomUUID } from 'node:crypto';
import type { Account } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { type MaybePromise, then } from '../maybe-async.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Longer x-api-key values are not even looked up (issued keys have 46 characters). */
const MAX_API_KEY_LENGTH = 256;

/** The x-api-key worth looking up, or null (absent, empty, repeated or overlong: no account has it). */
export const lookupableApiKey = (header: string | string[] | undefined): string | null =>
  typeof header === 'string' && header !== '' && header.length <= MAX_API_KEY_LENGTH ? header : null;

/** The request id: a well-formed incoming x-request-id is echoed, anything else replaced by a fresh one. */
export const requestIdOf = (incoming: string | string[] | undefined) =>
  typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID()}`;

/**
 * Counts one request against the account's per-minute limit. Framework-neutral (the polling fast path uses it too):
 * the rate-limit headers as a flat [name, value, …] list, and the RATE_LIMITED error when the limit is exceeded. At
 * once with the in-memory counters, a promise with Redis's (see maybe-async.ts).
 */
export function countRequest(
  account: Account,
  deps: Deps,
): MaybePromise<{ headers: Array<string | number>; error: ApiError | null }> {
  const limit = account.rate_limit_per_min ?? deps.config.rateLimitPerMin;
  const now = deps.clock.now().getTime();
  return then(deps.rateLimits.hit(`acct:${account.id}`, 60_000, now), (hit) => verdictOf(limit, now, hit));
}

function verdictOf(
  limit: number,
  now: number,
  hit: { count: number; resetAt: number },
): { headers: Array<string | number>; error: ApiError | null } {
  const resetS = Math.max(0, Math.ceil((hit.resetAt - now) / 1000));
  const headers: Array<string | number> = [
    'x-ratelimit-limit',
    limit,
    'x-ratelimit-remaining',
    Math.max(0, limit - hit.count),
    'x-ratelimit-reset',
    resetS,
  ];
  if (hit.count <= limit) return { headers, error: null };
  headers.push('retry-after', resetS);
  return { headers, error: new ApiError('RATE_LIMITED', `Rate limit of ${limit} requests per minute exceeded.`) };
}

/**
 * The webhook delivery job, defined once: its kind in the queue, its payload and the retry schedule.
 *
 * The `webhook_deliveries` row is the source of truth (like the generations table for try-ons); a job only says "look
 * at delivery X now". Each HTTP attempt is taken with a conditional update of the row (services/webhooks.service.ts),
 * so a job delivered twice, or a reconciler's extra job, never makes a second attempt of the same number. The job of
 * the next attempt is enqueued in the same transaction that takes the current one: a worker that dies mid-attempt
 * leaves the retry already scheduled.
 */
import type { Tx } from '../db/database.js';
import type { JobQueue } from '../ports/job-queue.js';

/** The job's kind in the queue (stored in the jobs table: renaming it would orphan queued jobs). */
export const WEBHOOK_JOB = 'webhook';

export interface WebhookJobPayload {
  deliveryId: string;
}

/**
 * Wait after each failed attempt, by the attempt that failed: 10 s, 30 s, 1, 2, 5, 10, 15 and 30 min (each stretched
 * by up to WEBHOOK_JITTER). With the first attempt that makes 9 attempts over about an hour (64 min of waits, up to
 * 70 with the jitter, plus each attempt's time limit), then the delivery fails.
 */
export const WEBHOOK_RETRY_DELAYS_MS = [10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000];
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1;
/**
 * Each wait is lengthened by a random share of itself up to this: when a receiver that was down for everyone comes
 * back, the retries of the events it missed arrive spread out, not all in the same second.
 */
export const WEBHOOK_JITTER = 0.1;

/** Time limit of one attempt (connecting, sending, the answer's status). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * How long after `failedAttempt` (1 on the first) the next one may run: the schedule's wait, lengthened by
 * `random() * WEBHOOK_JITTER` of itself (`random` in [0, 1); pass `() => 0` for the base wait, `() => 1` for the most).
 */
export function webhookRetryDelayMs(failedAttempt: number, random: () => number = Math.random): number {
  const base = WEBHOOK_RETRY_DELAYS_MS[Math.min(failedAttempt - 1, WEBHOOK_RETRY_DELAYS_MS.length - 1)]!;
  return Math.round(base * (1 + WEBHOOK_JITTER * random()));
}

/**
 * Enqueues a look at the delivery after `delayMs`. On a database queue inside `tx` (the job commits with the rows that
 * need it); on a queue outside the database (BullMQ) the caller does it after commit with `afterCommit: true` and a
 * key, so a repeat adds nothing while that job is held.
 */
export async function enqueueWebhook(
  queue: JobQueue,
  payload: WebhookJobPayload,
  options: { tx?: Tx; delayMs?: number; key?: string; afterCommit?: boolean },
): Promise<void> {
  if ((queue.outsideTransactions ?? false) !== (options.afterCommit ?? false)) return;
  // Attempts are counted on the delivery row, not by the queue: one queue attempt (plus a spare for a lost lease).
  await queue.enqueue<WebhookJobPayload>(WEBHOOK_JOB, payload, {
    maxAttempts: 2,
    delayMs: options.delayMs ?? 0,
    ...(options.tx && !options.afterCommit ? { tx: options.tx } : {}),
    ...(options.key ? { key: options.key } : {}),
  });
}

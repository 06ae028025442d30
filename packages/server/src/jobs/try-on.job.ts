/**
 * The try-on job, defined once: its kind in the queue, how often it is tried, the wait between tries and its payload.
 * The generations service enqueues it, the try-on worker claims and retries it, retention fails its buried ones.
 */
import type { Db } from '../db/database.js';
import type { Clock } from '../ports/clock.js';
import type { EnqueueOptions, Job, JobQueue } from '../ports/job-queue.js';

/** The job's kind in the queue (stored in the jobs table: renaming it would orphan queued jobs). */
export const TRY_ON_JOB = 'tryon';

/** The try-on job carries only the generation's id: the generations table holds everything else. */
export interface TryOnJobPayload {
  generationId: string;
}

/** Tries before the generation fails (refunded). */
export const TRY_ON_MAX_ATTEMPTS = 3;

/** Wait before the next try, by the attempt that failed (the last value repeats). */
const RETRY_BACKOFF_MS = [2_000, 10_000, 30_000];

/**
 * Enqueues the generation's try-on. Inside its transaction (`tx`) on a database queue; on a queue outside the database
 * this does nothing and `enqueueTryOnAfterCommit` does it, keyed by the generation, so a repeat adds nothing.
 */
export function enqueueTryOn(
  queue: JobQueue,
  payload: TryOnJobPayload,
  options: Pick<EnqueueOptions, 'tx'> = {},
): Promise<string | null> {
  if (queue.outsideTransactions) return Promise.resolve(null);
  return queue.enqueue<TryOnJobPayload>(TRY_ON_JOB, payload, { ...options, maxAttempts: TRY_ON_MAX_ATTEMPTS });
}

/** The after-commit half of `enqueueTryOn` (nothing to do on a database queue: the job committed with the rows). */
export async function enqueueTryOnAfterCommit(queue: JobQueue, payload: TryOnJobPayload): Promise<void> {
  if (!queue.outsideTransactions) return;
  await queue.enqueue<TryOnJobPayload>(TRY_ON_JOB, payload, {
    maxAttempts: TRY_ON_MAX_ATTEMPTS,
    key: payload.generationId,
  });
}

/** The payload of a claimed try-on job, or of a stored one (the jobs table keeps it as JSON). */
export function tryOnPayload(job: Pick<Job, 'payload'>): TryOnJobPayload {
  return job.payload as TryOnJobPayload;
}

/** How long to wait before trying again after `attempt` (1 on the first delivery) failed. */
export function tryOnBackoffMs(attempt: number): number {
  return RETRY_BACKOFF_MS[Math.min(attempt - 1, RETRY_BACKOFF_MS.length - 1)]!;
}

/** PENDING this long without running means its job may have been lost (enqueued after commit, by a process that died). */
export const REQUEUE_AFTER_MS = 60_000;
const REQUEUE_BATCH = 500;

/**
 * The reconciler of queues outside the database: re-enqueues the try-on of every generation PENDING for longer than
 * `olderThanMs`. Keyed by the generation, so a job that is still queued or running is not added twice; the worker
 * skips a generation that is no longer PENDING. Returns how many were enqueued again (or found still queued).
 * Nothing to do on a database queue, whose jobs commit with their generation.
 */
export async function requeuePendingTryOns(
  db: Db,
  queue: JobQueue,
  clock: Clock,
  olderThanMs = REQUEUE_AFTER_MS,
): Promise<number> {
  if (!queue.outsideTransactions) return 0;
  const cutoff = new Date(clock.now().getTime() - olderThanMs).toISOString();
  const pending = await db
    .selectFrom('generations')
    .select('id')
    .where('status', '=', 'PENDING')
    .where('created_at', '<', cutoff)
    .orderBy('created_at')
    .limit(REQUEUE_BATCH)
    .execute();
  for (const { id } of pending) await enqueueTryOnAfterCommit(queue, { generationId: id });
  return pending.length;
}

/**
 * The try-on job, defined once: its kind in the queue, how often it is tried, the wait between tries and its payload.
 * The generations service enqueues it, the try-on worker claims and retries it, retention fails its buried ones.
 */
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

export function enqueueTryOn(
  queue: JobQueue,
  payload: TryOnJobPayload,
  options: Omit<EnqueueOptions, 'maxAttempts'> = {},
): Promise<string> {
  return queue.enqueue<TryOnJobPayload>(TRY_ON_JOB, payload, { ...options, maxAttempts: TRY_ON_MAX_ATTEMPTS });
}

/** The payload of a claimed try-on job, or of a stored one (the jobs table keeps it as JSON). */
export function tryOnPayload(job: Pick<Job, 'payload'>): TryOnJobPayload {
  return job.payload as TryOnJobPayload;
}

/** How long to wait before trying again after `attempt` (1 on the first delivery) failed. */
export function tryOnBackoffMs(attempt: number): number {
  return RETRY_BACKOFF_MS[Math.min(attempt - 1, RETRY_BACKOFF_MS.length - 1)]!;
}

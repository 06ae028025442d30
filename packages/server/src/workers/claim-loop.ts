/**
 * The loop every worker runs: claim a job of its type, or wait for work (woken early by new jobs and by `signal`);
 * hand a claimed job to `run`. A failed claim (the database or Redis away) is logged and the loop waits, then tries
 * again; `run` owns the job from there (completing, failing or leaving it to its lease).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Job, JobQueue } from '../ports/job-queue.js';

export interface ClaimLoopOptions {
  jobType: string;
  leaseMs: number;
  idleWaitMs: number;
  signal: AbortSignal;
  /** Names the worker in the claim-failure log line ("claiming a webhook job failed"). */
  what: string;
}

export async function claimLoop(
  queue: JobQueue,
  logger: Pick<FastifyBaseLogger, 'error'>,
  workerId: string,
  options: ClaimLoopOptions,
  run: (job: Job) => Promise<void>,
): Promise<void> {
  while (!options.signal.aborted) {
    let job: Job | null = null;
    try {
      job = await queue.claim(workerId, [options.jobType], options.leaseMs);
    } catch (err) {
      logger.error({ err }, `claiming ${options.what} failed`);
    }
    if (!job) {
      await queue.waitForWork(options.idleWaitMs, options.signal);
      continue;
    }
    await run(job);
  }
}

/**
 * The job queue's EnqueueSignal on PostgreSQL: an enqueue sends NOTIFY `fitroom_jobs` in the enqueuing transaction, so
 * it is delivered when the job is committed and visible, to every process's listener (pg-listener.ts): an idle worker
 * on any machine claims it at once instead of at its next poll. A reconnected listener wakes the workers too, since
 * signals sent meanwhile were lost.
 */
import { sql } from 'kysely';
import type { PgListener } from './pg-listener.js';
import type { EnqueueSignal } from './sql-job-queue.js';

export const JOBS_CHANNEL = 'fitroom_jobs';

/** `listener` must have been started with JOBS_CHANNEL. */
export function pgEnqueueSignal(listener: PgListener): EnqueueSignal {
  return {
    async send(db) {
      await sql`select pg_notify(${JOBS_CHANNEL}, '')`.execute(db);
    },
    subscribe(handler) {
      listener.on(JOBS_CHANNEL, handler);
      listener.onReconnected(handler);
    },
  };
}

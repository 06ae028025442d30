/**
 * The job queue port. It only carries work ("run generation gen_x"); the generations table stays the source of truth
 * that clients poll, so swapping the queue (SQLite table ↔ BullMQ) never changes the API.
 *
 * Delivery is at-least-once: a job whose worker died is handed out again when its lease expires, so handlers must be
 * idempotent (the generation service makes every state transition conditional).
 */
import type { Tx } from '../db/database.js';

export interface Job<P = unknown> {
  id: string;
  kind: string;
  payload: P;
  /** 1 on the first delivery. */
  attempt: number;
  maxAttempts: number;
}

export interface EnqueueOptions {
  maxAttempts?: number;
  /** Delay before the first run. */
  delayMs?: number;
  /**
   * Enqueue inside this database transaction, so the job exists if and only if the caller's rows do (embedded queue).
   * Queues that live outside the database (`outsideTransactions`) ignore it and are enqueued after commit by the caller.
   */
  tx?: Tx;
  /**
   * Makes enqueuing idempotent on queues outside the database: while a job with this key is queued, running or kept,
   * enqueuing it again adds nothing (what lets a reconciler re-enqueue whatever might have been lost). Queues inside
   * the database never lose a committed job and ignore it.
   */
  key?: string;
}

export interface JobQueue {
  /**
   * True for a queue that cannot join the database's transactions (BullMQ on Redis): callers enqueue after their
   * transaction commits, with a `key`, and re-enqueue work that a crash between the two left without a job.
   */
  readonly outsideTransactions?: boolean;
  enqueue<P>(kind: string, payload: P, options?: EnqueueOptions): Promise<string>;
  /** Takes the next runnable job of these kinds for `workerId`, holding it for `leaseMs`; null when none is due. */
  claim(workerId: string, kinds: readonly string[], leaseMs: number): Promise<Job | null>;
  /** Keeps a long job's lease alive. Returns false when the lease was lost (another worker may have it now). */
  extendLease(jobId: string, workerId: string, leaseMs: number): Promise<boolean>;
  complete(jobId: string, workerId: string): Promise<void>;
  /** Schedules a retry after `retryInMs`, or buries the job when `retryInMs` is null or attempts are exhausted. */
  fail(jobId: string, workerId: string, error: string, retryInMs: number | null): Promise<'retrying' | 'dead'>;
  /** Resolves when a job may have become runnable (wakes idle workers without busy polling), or after `maxWaitMs`. */
  waitForWork(maxWaitMs: number, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

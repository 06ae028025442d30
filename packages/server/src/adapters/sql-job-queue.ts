/**
 * The database's JobQueue: a durable queue on the `jobs` table, on SQLite (embedded) or PostgreSQL (`DATABASE_URL`).
 *
 * Claiming is one conditional `UPDATE … WHERE id = (SELECT … LIMIT 1) AND <due> RETURNING *`, so the choice of the
 * row and taking it are atomic: two workers, in this process or in other processes on the same database (the CLI, a
 * second `fitroom serve`, worker machines), never receive the same delivery.
 *  - SQLite runs every write statement under the database's single write lock (busy_timeout makes a second writer
 *    wait), so the subquery always sees the latest commit.
 *  - PostgreSQL (READ COMMITTED) runs claims side by side. The subquery takes its row `FOR UPDATE SKIP LOCKED`: a
 *    row another claim has locked is passed over, so concurrent workers take different jobs instead of queueing on
 *    the same row. The due-condition repeated in the outer WHERE is re-checked on the locked row and is what keeps the
 *    statement correct whatever the subquery picked: a row no longer due is simply not updated.
 *
 * Delivery is at-least-once (see the port): a claim holds a lease, and a running job whose lease has passed is
 * claimed again with the next attempt number. Every later transition (extend, complete, fail) is conditional on
 * `locked_by = worker AND status = 'running'`, so a worker that lost its lease cannot finish the new holder's attempt.
 *
 * The lease is the general rule for a holder that stopped. A holder known to be dead need not be waited for:
 * `releaseJobsOfGoneHolders` (called by a starting server, see process-identity.ts) ends such leases at once.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { isPostgres } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { newId } from '../ids.js';
import { addMs, type Clock, iso } from '../ports/clock.js';
import type { EnqueueOptions, Job, JobQueue } from '../ports/job-queue.js';

/**
 * Wake-ups that follow the database's commits, across processes (PostgreSQL: NOTIFY, pg-enqueue-signal.ts). Without
 * one, an enqueue wakes this process's waiting workers at once and other processes find the job at their next poll.
 */
export interface EnqueueSignal {
  /** Sends the signal on `db`; inside a transaction it is delivered when that commits, and not if it rolls back. */
  send(db: Kysely<Database>): Promise<void>;
  /** Calls `handler` whenever a signal is delivered, sent by this process or another. */
  subscribe(handler: () => void): void;
}

export interface SqlJobQueueOptions {
  db: Kysely<Database>;
  clock: Clock;
  enqueueSignal?: EnqueueSignal;
  /**
   * How often an idle worker looks at the table without an in-process notification (default 500 ms). Needed because
   * another process (the CLI, another server on the same file) can enqueue, and delayed or retried jobs become due
   * with nobody notifying.
   */
  pollIntervalMs?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
/** Errors can carry whole stack traces or upstream bodies; the row keeps enough to diagnose, not a log file. */
export const MAX_ERROR_LENGTH = 2000;
const LEASE_LOST_ON_FINAL_ATTEMPT = 'lease expired on the final attempt (the worker holding it stopped or stalled)';

type Eb = ExpressionBuilder<Database, 'jobs'>;

export class SqlJobQueue implements JobQueue {
  private readonly db: Kysely<Database>;
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  /** PostgreSQL: claims lock their row and skip rows other claims hold (SQLite has no row locks, nor needs them). */
  private readonly skipLockedRows: boolean;
  private readonly enqueueSignal: EnqueueSignal | undefined;
  private readonly waiters = new Set<() => void>();
  /**
   * Set when an enqueue notified while no worker was waiting: a worker that was busy (between a claim that found
   * nothing and its next waitForWork) must not sleep through that job, so its next wait returns at once.
   * A spurious wake-up costs one empty claim; a lost one would cost a poll interval of latency.
   */
  private pendingWake = false;
  private closed = false;

  constructor(options: SqlJobQueueOptions) {
    const pollIntervalMs = options.pollIntervalMs ?? 500;
    if (!(pollIntervalMs > 0) || !Number.isFinite(pollIntervalMs)) {
      throw new Error(`pollIntervalMs must be a positive number, got ${pollIntervalMs}`);
    }
    this.db = options.db;
    this.clock = options.clock;
    this.pollIntervalMs = pollIntervalMs;
    this.skipLockedRows = isPostgres(options.db);
    this.enqueueSignal = options.enqueueSignal;
    this.enqueueSignal?.subscribe(() => this.notify());
  }

  async enqueue<P>(kind: string, payload: P, options: EnqueueOptions = {}): Promise<string> {
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new Error(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
    }
    const delayMs = Math.max(0, options.delayMs ?? 0);
    const json = JSON.stringify(payload);
    if (json === undefined) throw new Error('job payload must be JSON-serialisable');
    const now = this.clock.now();
    const id = newId('job');
    // Inside the caller's transaction when given: the job exists if and only if the caller's rows commit.
    await (options.tx ?? this.db)
      .insertInto('jobs')
      .values({
        id,
        kind,
        payload: json,
        status: 'queued',
        attempts: 0,
        max_attempts: maxAttempts,
        run_at: iso(addMs(now, delayMs)),
        lease_until: null,
        locked_by: null,
        last_error: null,
        created_at: iso(now),
        updated_at: iso(now),
      })
      .execute();
    if (this.enqueueSignal) {
      // Delivered at commit, to the workers of every process: a woken worker's claim finds the job.
      await this.enqueueSignal.send(options.tx ?? this.db);
    } else {
      // With a tx this fires before the commit. That is safe on SQLite's one connection: a woken worker's claim on
      // this Kysely instance waits for the connection until the transaction ends; a claim on another connection may
      // see nothing yet and the worker then finds the job at its next poll.
      this.notify();
    }
    // A delayed job's notification is merely spurious.
    return id;
  }

  async claim(workerId: string, kinds: readonly string[], leaseMs: number): Promise<Job | null> {
    if (kinds.length === 0) return null;
    const now = this.clock.now();
    const nowIso = iso(now);
    await this.buryExhaustedLeases(nowIso);

    const due = (eb: Eb) =>
      eb.and([
        eb('kind', 'in', kinds),
        eb.or([
          eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', nowIso)]),
          // The holder died or stalled: hand the job out again, as the next attempt. Exhausted ones were buried above.
          eb.and([
            eb('status', '=', 'running'),
            eb('lease_until', '<', nowIso),
            eb('attempts', '<', eb.ref('max_attempts')),
          ]),
        ]),
      ]);

    const row = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        attempts: eb('attempts', '+', 1),
        lease_until: iso(addMs(now, leaseMs)),
        locked_by: workerId,
        updated_at: nowIso,
      }))
      .where((eb) => {
        const next = eb.selectFrom('jobs').select('id').where(due).orderBy('run_at').orderBy('id').limit(1);
        return eb('id', '=', this.skipLockedRows ? next.forUpdate().skipLocked() : next);
      })
      .where(due)
      .returningAll()
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: row.id,
      kind: row.kind,
      payload: JSON.parse(row.payload) as unknown,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
    };
  }

  async extendLease(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
    const now = this.clock.now();
    // An already-passed lease may still be extended while nobody has re-claimed the job: it is still this worker's.
    const res = await this.db
      .updateTable('jobs')
      .set({ lease_until: iso(addMs(now, leaseMs)), updated_at: iso(now) })
      .where('id', '=', jobId)
      .where('locked_by', '=', workerId)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }

  async complete(jobId: string, workerId: string): Promise<void> {
    const nowIso = iso(this.clock.now());
    // A worker that lost its lease finishes nothing: the new holder's attempt stays running. The handler's own
    // conditional state transitions make its side effects harmless; the queue just refuses to record them twice.
    // locked_by is kept on finished rows as "who ran it last" for diagnosis.
    await this.db
      .updateTable('jobs')
      .set({ status: 'done', lease_until: null, updated_at: nowIso })
      .where('id', '=', jobId)
      .where('locked_by', '=', workerId)
      .where('status', '=', 'running')
      .execute();
  }

  async fail(jobId: string, workerId: string, error: string, retryInMs: number | null): Promise<'retrying' | 'dead'> {
    const now = this.clock.now();
    const nowIso = iso(now);
    const lastError = truncateError(error);
    const owned = (eb: Eb) =>
      eb.and([eb('id', '=', jobId), eb('locked_by', '=', workerId), eb('status', '=', 'running')]);

    if (retryInMs !== null) {
      const retried = await this.db
        .updateTable('jobs')
        .set({
          status: 'queued',
          run_at: iso(addMs(now, Math.max(0, retryInMs))),
          lease_until: null,
          last_error: lastError,
          updated_at: nowIso,
        })
        .where(owned)
        .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
        .executeTakeFirst();
      if (retried.numUpdatedRows > 0n) return 'retrying';
    }
    const buried = await this.db
      .updateTable('jobs')
      .set({ status: 'dead', lease_until: null, last_error: lastError, updated_at: nowIso })
      .where(owned)
      .executeTakeFirst();
    if (buried.numUpdatedRows > 0n) return 'dead';

    // Not ours any more (lease lost). Report what the job's fate is, so the caller acts safely: 'dead' only when the
    // job will never run again (then failing the generation is right); otherwise another worker holds it, will retry
    // it, or completed it, and the caller must leave the generation alone.
    const current = await this.db.selectFrom('jobs').select('status').where('id', '=', jobId).executeTakeFirst();
    return current?.status === 'dead' ? 'dead' : 'retrying';
  }

  /**
   * Ends at once the leases of running jobs whose holder (`locked_by`) is provably gone, so the next claim hands them
   * out as their next attempt: what the lease running out would do, without the wait. A job on its final attempt is
   * then buried by that claim, as after any lost lease. Each update is conditional on the row still being held by
   * that holder, so two processes doing this at once (two servers starting on one file) release a job once.
   */
  async releaseJobsOfGoneHolders(
    isHolderGone: (workerId: string) => boolean,
  ): Promise<{ jobs: number; holders: string[] }> {
    const running = await this.db
      .selectFrom('jobs')
      .select(['id', 'locked_by'])
      .where('status', '=', 'running')
      .where('locked_by', 'is not', null)
      .execute();
    const verdicts = new Map<string, boolean>();
    const holders = new Set<string>();
    let jobs = 0;
    for (const { id, locked_by: holder } of running) {
      if (!holder) continue;
      let gone = verdicts.get(holder);
      if (gone === undefined) {
        gone = isHolderGone(holder);
        verdicts.set(holder, gone);
      }
      if (!gone) continue;
      const now = this.clock.now();
      const res = await this.db
        .updateTable('jobs')
        // The lease ends a millisecond ago, so a claim at this very instant already finds it due (`lease_until < now`).
        .set({
          lease_until: iso(addMs(now, -1)),
          last_error: truncateError(`its worker ${holder} is gone (the process died); taken back at once`),
          updated_at: iso(now),
        })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('locked_by', '=', holder)
        .executeTakeFirst();
      if (res.numUpdatedRows > 0n) {
        jobs++;
        holders.add(holder);
      }
    }
    return { jobs, holders: [...holders] };
  }

  waitForWork(maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted || maxWaitMs <= 0) return Promise.resolve();
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      // No database access while waiting: the caller claims once when this resolves, so an idle worker touches the
      // table at most once per poll interval, whatever maxWaitMs is.
      const timer = setTimeout(done, Math.min(maxWaitMs, this.pollIntervalMs));
      const onAbort = () => done();
      signal?.addEventListener('abort', onAbort, { once: true });
      const waiters = this.waiters;
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  }

  /** Wakes every waiter; later waits return at once. The database belongs to the caller and stays open. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll();
  }

  private notify(): void {
    if (this.waiters.size === 0) this.pendingWake = true;
    else this.wakeAll();
  }

  private wakeAll(): void {
    for (const done of [...this.waiters]) done();
  }

  /**
   * A running job whose lease passed after its last allowed attempt is buried instead of being handed out again.
   * Done here, in every claim, rather than by a separate reaper: any polling worker keeps the table honest, with no
   * extra process or timer, and it is one indexed statement (status, run_at) that usually changes nothing. It covers
   * every kind, not just the claimer's: whether an exhausted lease has passed does not depend on who looks.
   */
  private async buryExhaustedLeases(nowIso: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status: 'dead', lease_until: null, last_error: LEASE_LOST_ON_FINAL_ATTEMPT, updated_at: nowIso })
      .where('status', '=', 'running')
      .where('lease_until', '<', nowIso)
      .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
      .execute();
  }
}

function truncateError(error: string): string {
  const chars = Array.from(error);
  return chars.length <= MAX_ERROR_LENGTH ? error : `${chars.slice(0, MAX_ERROR_LENGTH - 1).join('')}…`;
}

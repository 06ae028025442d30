/**
 * The JobQueue port on BullMQ (Redis), for the scale-out deployment: workers on many machines take jobs from one
 * queue without sharing a database connection.
 *
 * The port is pull-based (claim, extend, complete or fail), so BullMQ's workers run in manual mode: `claim` is
 * `Worker.getNextJob` with the port's `workerId` as the lock token, a lease is BullMQ's job lock, and BullMQ's stalled
 * check hands a job whose lock expired back to the queue (the port's "a dead worker's job is retried").
 *
 * Attempts are counted here, not by BullMQ's own retry machinery, because the port decides each retry's delay
 * (`fail(…, retryInMs)`): an attempt is a move to active (`attemptsStarted`), a retry is a move to delayed, and a job
 * claimed past its last attempt (its final attempt lost its lease) is buried instead of run, as the SQL queue does.
 *
 * A queue outside the database cannot join its transactions (`outsideTransactions`, `EnqueueOptions.tx` ignored): the
 * generations service enqueues after commit with the generation's id as the job's key, and the reconciler re-enqueues
 * PENDING generations a crash between the two left without a job (jobs/try-on.job.ts).
 */
import { randomUUID } from 'node:crypto';
import { type Job as BullJob, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { EnqueueOptions, Job, JobQueue } from '../ports/job-queue.js';

const DEFAULT_MAX_ATTEMPTS = 3;
/** BullMQ may fail a job it saw stall this often; attempts are counted here instead, so it must never get there. */
const NEVER = 1_000_000;
/** How often the stalled check runs, at most: an expired lease is handed out again within this time. */
const MAX_STALLED_INTERVAL_MS = 30_000;
/** Dead jobs are kept this long for inspection; completed ones are removed at once (the generations table is the record). */
const KEEP_DEAD_S = 7 * 24 * 3600;
const MAX_ERROR_LENGTH = 2000;

interface Envelope {
  payload: unknown;
  maxAttempts: number;
}

export interface BullMqJobQueueOptions {
  /** redis:// URL. */
  url: string;
  /** Namespaces BullMQ's keys (one Redis shared by several deployments, or by tests). */
  prefix: string;
  /**
   * Connection errors BullMQ reports as events (it reconnects by itself). Without a listener an 'error' event would
   * end the process.
   */
  onError: (err: unknown) => void;
}

export class BullMqJobQueue implements JobQueue {
  readonly outsideTransactions = true;
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  private readonly events = new Map<string, QueueEvents>();
  private readonly wakers = new Set<() => void>();
  private readonly ownConnections: Redis[] = [];
  /** Jobs this process claimed and has not finished: their lease is extended and ended without fetching them again. */
  private readonly held = new Map<string, BullJob>();
  private onBuried: (job: Job) => Promise<void> = async () => {};
  private closed = false;

  constructor(private readonly options: BullMqJobQueueOptions) {
    // BullMQ's blocking commands need a connection that never gives up on a request.
    this.connection = new Redis(options.url, { maxRetriesPerRequest: null });
    this.connection.on('error', options.onError);
  }

  async enqueue<P>(kind: string, payload: P, options: EnqueueOptions = {}): Promise<string> {
    const envelope: Envelope = { payload, maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS };
    const job = await this.queue(kind).add(kind, envelope, {
      // BullMQ adds nothing for an id it already holds, so a key makes the enqueue idempotent. Ids are unique across
      // kinds (BullMQ numbers jobs per queue) and may not contain a colon.
      jobId: options.key ? `${kind}_${options.key}` : `job_${randomUUID()}`,
      delay: options.delayMs ?? 0,
      removeOnComplete: true,
      removeOnFail: { age: KEEP_DEAD_S },
    });
    this.wake();
    return job.id!;
  }

  async claim(workerId: string, kinds: readonly string[], leaseMs: number): Promise<Job | null> {
    for (const kind of kinds) {
      const worker = await this.worker(kind, leaseMs);
      for (;;) {
        const job = await worker.getNextJob(workerId, { block: false });
        if (!job) break;
        const claimed = await this.accept(job, workerId);
        if (claimed) return claimed;
      }
    }
    return null;
  }

  /** The job as the port sees it, or null when it was buried (claimed past its last attempt). */
  private async accept(job: BullJob, workerId: string): Promise<Job | null> {
    const { payload, maxAttempts } = job.data as Envelope;
    const attempt = job.attemptsStarted;
    if (attempt > maxAttempts) {
      await job.moveToFailed(new Error('its final attempt lost its lease'), workerId, false);
      // No worker will report on it: its owner must finish what the job was for (fail the generation, refund).
      await this.onBuried({ id: job.id!, kind: job.name, payload, attempt: maxAttempts, maxAttempts });
      return null;
    }
    this.held.set(job.id!, job);
    return { id: job.id!, kind: job.name, payload, attempt, maxAttempts };
  }

  /**
   * What to do with a job buried because its final attempt lost its lease (its workers kept dying): the database queue
   * leaves such jobs for the retention sweep; here they are handed to this handler when buried.
   */
  whenBuried(handler: (job: Job) => Promise<void>): void {
    this.onBuried = handler;
  }

  async extendLease(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
    const job = await this.find(jobId);
    if (!job) return false;
    return (await job.extendLock(workerId, leaseMs)) === 1;
  }

  /** A worker that lost its lease finishes nothing (BullMQ refuses a move by another token): the new holder's stands. */
  async complete(jobId: string, workerId: string): Promise<void> {
    const job = await this.find(jobId);
    this.held.delete(jobId);
    await job?.moveToCompleted(null, workerId, false).catch(() => undefined);
  }

  /**
   * As the database queue: 'dead' only when the job will never run again (the caller then fails its generation);
   * a job that is no longer this worker's is someone else's to finish, so 'retrying' (the caller leaves it alone).
   */
  async fail(jobId: string, workerId: string, error: string, retryInMs: number | null): Promise<'retrying' | 'dead'> {
    const job = await this.find(jobId);
    this.held.delete(jobId);
    if (!job) return 'retrying';
    const { maxAttempts } = job.data as Envelope;
    try {
      if (retryInMs === null || job.attemptsStarted >= maxAttempts) {
        await job.moveToFailed(new Error(error.slice(0, MAX_ERROR_LENGTH)), workerId, false);
        return 'dead';
      }
      await job.moveToDelayed(Date.now() + retryInMs, workerId);
      return 'retrying';
    } catch {
      return (await job.getState()) === 'failed' ? 'dead' : 'retrying';
    }
  }

  /**
   * Resolves when a job was added (BullMQ's event stream, so also when another process adds one), on abort or close,
   * or after `maxWaitMs` (a retry's delay running out is not an event: the caller's next claim finds it).
   */
  waitForWork(maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.wakers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    await Promise.all([...this.workers.values()].map((w) => w.close()));
    await Promise.all([...this.events.values()].map((e) => e.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await Promise.all([this.connection, ...this.ownConnections].map((c) => c.quit()));
  }

  private wake(): void {
    for (const wake of [...this.wakers]) wake();
  }

  private queue(kind: string): Queue {
    let queue = this.queues.get(kind);
    if (!queue) {
      queue = new Queue(kind, { connection: this.connection, prefix: this.prefix });
      queue.on('error', this.options.onError);
      this.queues.set(kind, queue);
      // QueueEvents blocks on its connection (XREAD): one of its own, closed with the rest.
      const eventsConnection = this.connection.duplicate();
      eventsConnection.on('error', this.options.onError);
      this.ownConnections.push(eventsConnection);
      const events = new QueueEvents(kind, { connection: eventsConnection, prefix: this.prefix });
      events.on('error', this.options.onError);
      events.on('waiting', () => this.wake());
      this.events.set(kind, events);
    }
    return queue;
  }

  private async worker(kind: string, leaseMs: number): Promise<Worker> {
    let worker = this.workers.get(kind);
    if (!worker) {
      this.queue(kind);
      worker = new Worker(kind, null, {
        connection: this.connection,
        prefix: this.prefix,
        autorun: false,
        lockDuration: leaseMs,
        stalledInterval: Math.min(leaseMs, MAX_STALLED_INTERVAL_MS),
        maxStalledCount: NEVER,
      });
      worker.on('error', this.options.onError);
      this.workers.set(kind, worker);
      // Manual processing does not start the stalled check by itself; without it a dead worker's job stays active.
      await worker.startStalledCheckTimer();
    }
    return worker;
  }

  private async find(jobId: string): Promise<BullJob | undefined> {
    const held = this.held.get(jobId);
    if (held) return held;
    for (const queue of this.queues.values()) {
      const job = await queue.getJob(jobId);
      if (job) return job;
    }
    return undefined;
  }

  private get prefix(): string {
    return `${this.options.prefix}bull`;
  }
}

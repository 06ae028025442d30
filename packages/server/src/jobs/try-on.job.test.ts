/**
 * The try-on job on a queue outside the database (BullMQ): enqueued after the generation commits, keyed by it, and
 * re-enqueued by the reconciler when a crash between commit and enqueue left it PENDING without a job. A recording
 * queue stands for BullMQ here (bullmq-job-queue.test.ts shows a repeated key adds nothing there).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SqlJobQueue } from '../adapters/sql-job-queue.js';
import type { EnqueueOptions, Job, JobQueue } from '../ports/job-queue.js';
import { GenerationsService } from '../services/generations.service.js';
import { createTestContext, fixtureTryOn, type TestContext } from '../testing/test-server.js';
import { REQUEUE_AFTER_MS, requeuePendingTryOns, TRY_ON_JOB } from './try-on.job.js';

/** Records what is enqueued; `failing` makes enqueue throw (Redis away). */
class RecordingQueue implements JobQueue {
  readonly outsideTransactions = true;
  readonly added: Array<{ kind: string; payload: unknown; options: EnqueueOptions }> = [];
  failing = false;
  async enqueue<P>(kind: string, payload: P, options: EnqueueOptions = {}) {
    if (this.failing) throw new Error('connection is closed');
    this.added.push({ kind, payload, options });
    return `job_${this.added.length}`;
  }
  async claim(): Promise<Job | null> {
    return null;
  }
  async extendLease() {
    return true;
  }
  async complete() {}
  async fail() {
    return 'dead' as const;
  }
  async waitForWork() {}
  async close() {}
}

describe('try-on jobs on a queue outside the database', () => {
  let ctx: TestContext;
  let queue: RecordingQueue;
  let generations: GenerationsService;
  before(async () => {
    ctx = await createTestContext({ workers: false });
    queue = new RecordingQueue();
    const d = ctx.deps;
    generations = new GenerationsService(
      d.db,
      d.blobs,
      d.clock,
      d.config,
      d.credits,
      d.images,
      d.products,
      queue,
      d.events,
    );
  });
  after(() => ctx.close());

  const submit = async () => {
    const account = (await ctx.deps.accounts.get(ctx.accountId))!;
    const [data, files] = fixtureTryOn({ title: 'mock' });
    const uploads = new Map(
      Object.entries(files).map(([field, f]) => [
        field,
        { field, filename: f.filename, mimetype: f.contentType, data: Buffer.from(f.data) },
      ]),
    );
    return generations.submit(account, data, uploads);
  };

  test('the job is enqueued once the generation is committed, keyed by it, not inside the transaction', async () => {
    const { generationId } = await submit();
    const last = queue.added.at(-1)!;
    assert.equal(last.kind, TRY_ON_JOB);
    assert.deepEqual(last.payload, { generationId });
    assert.equal(last.options.key, generationId);
    assert.equal(last.options.tx, undefined);
    const row = await ctx.deps.generations.find(generationId);
    assert.equal(row?.status, 'PENDING');
  });

  test('an enqueue that fails after commit still accepts the generation; the reconciler enqueues it later', async () => {
    queue.failing = true;
    const { generationId, status } = await submit();
    queue.failing = false;
    assert.equal(status, 'PENDING');
    const before = queue.added.length;
    const now = ctx.deps.clock.now().getTime();
    // Not yet: it is younger than REQUEUE_AFTER_MS.
    assert.equal(await requeuePendingTryOns(ctx.deps.db, queue, ctx.deps.clock), 0);
    const later = { now: () => new Date(now + REQUEUE_AFTER_MS + 1_000) };
    const requeued = await requeuePendingTryOns(ctx.deps.db, queue, later);
    assert.ok(requeued >= 1);
    const again = queue.added
      .slice(before)
      .find((a) => (a.payload as { generationId: string }).generationId === generationId);
    assert.equal(again?.options.key, generationId, 'keyed: a job still queued is not added twice');
  });

  test('the reconciler leaves a database queue alone (its jobs commit with their generations)', async () => {
    const sqlQueue: JobQueue = new SqlJobQueue({ db: ctx.deps.db, clock: ctx.deps.clock });
    assert.ok(!sqlQueue.outsideTransactions);
    const inAnHour = { now: () => new Date(Date.now() + 3600_000) };
    assert.equal(await requeuePendingTryOns(ctx.deps.db, sqlQueue, inAnHour), 0);
    await sqlQueue.close();
  });
});

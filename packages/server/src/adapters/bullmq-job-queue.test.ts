/**
 * The JobQueue port on BullMQ (Redis), in real time: leases of about a second, and BullMQ's stalled check running as
 * often. Two queue instances on their own connections stand for two worker processes. The behaviours are those
 * sql-job-queue.test.ts shows for the SQL queue, where they can be seen without a database clock.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Queue } from 'bullmq';
import type { Job } from '../ports/job-queue.js';
import { REDIS_TEST_URL, testRedis } from '../testing/test-redis.js';
import { BullMqJobQueue } from './bullmq-job-queue.js';

const KIND = 'try-on';
const LEASE_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Queues {
  a: BullMqJobQueue;
  b: BullMqJobQueue;
  /** BullMQ's own counts of the kind's jobs by state, read past the adapter. */
  counts(): Promise<Record<string, number>>;
}

/** Two queues on one Redis key prefix (two worker processes), closed and cleaned up after the test. */
async function twoQueues(t: TestContext): Promise<Queues | null> {
  const r = await testRedis(t);
  if (!r) return null;
  const errors: unknown[] = [];
  const a = new BullMqJobQueue({ url: REDIS_TEST_URL, prefix: r.prefix, onError: (e) => errors.push(e) });
  const b = new BullMqJobQueue({ url: REDIS_TEST_URL, prefix: r.prefix, onError: (e) => errors.push(e) });
  const inspector = new Queue(KIND, { connection: r.connect(), prefix: `${r.prefix}bull` });
  t.after(async () => {
    await a.close();
    await b.close();
    await inspector.close();
    await r.cleanup();
    assert.deepEqual(errors, []);
  });
  return { a, b, counts: () => inspector.getJobCounts('wait', 'active', 'delayed', 'failed') };
}

/** Claims until a job comes, for at most `ms` (a stalled job comes back only when BullMQ's check has run). */
async function claimWithin(queue: BullMqJobQueue, workerId: string, ms: number): Promise<Job | null> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(100)) {
    const job = await queue.claim(workerId, [KIND], LEASE_MS);
    if (job) return job;
  }
  return null;
}

test('BullMQ queue: enqueue, claim and complete; a claimed job is nobody else’s', async (t) => {
  const q = await twoQueues(t);
  if (!q) return;
  const { a, b } = q;
  const id = await a.enqueue(KIND, { generationId: 'gen_1' }, { maxAttempts: 2 });
  const job = await b.claim('w1', [KIND], LEASE_MS);
  assert.deepEqual(job, { id, kind: KIND, payload: { generationId: 'gen_1' }, attempt: 1, maxAttempts: 2 });
  assert.equal(await a.claim('w2', [KIND], LEASE_MS), null);
  assert.equal(await b.claim('w1', ['other-kind'], LEASE_MS), null);
  await b.complete(id, 'w1');
  assert.equal(await a.claim('w2', [KIND], LEASE_MS), null);
});

test('BullMQ queue: 40 jobs taken by 8 loops in two processes, each exactly once', async (t) => {
  const q = await twoQueues(t);
  if (!q) return;
  const { a, b } = q;
  const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => a.enqueue(KIND, { n: i })));
  const taken: string[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async (_, loop) => {
      const queue = loop % 2 ? a : b;
      for (let job = await queue.claim(`w${loop}`, [KIND], LEASE_MS); job; ) {
        taken.push(job.id);
        await queue.complete(job.id, `w${loop}`);
        job = await queue.claim(`w${loop}`, [KIND], LEASE_MS);
      }
    }),
  );
  assert.deepEqual([...taken].sort(), [...ids].sort());
});

test('BullMQ queue: a lease that runs out hands the job to another worker; the first can no longer extend it', async (t) => {
  const q = await twoQueues(t);
  if (!q) return;
  const { a, b } = q;
  const id = await a.enqueue(KIND, { generationId: 'gen_dead_worker' });
  const first = await a.claim('dies', [KIND], LEASE_MS);
  assert.equal(first?.id, id);
  const again = await claimWithin(b, 'survivor', 6_000);
  assert.equal(again?.id, id);
  assert.equal(again?.attempt, 2);
  assert.equal(await a.extendLease(id, 'dies', LEASE_MS), false);
  // The old holder's late reports change nothing: the job stays the survivor's.
  await a.complete(id, 'dies');
  assert.equal(await a.fail(id, 'dies', 'late', null), 'retrying');
  assert.deepEqual(await q.counts(), { wait: 0, active: 1, delayed: 0, failed: 0 });
  await b.complete(id, 'survivor');
  assert.deepEqual(await q.counts(), { wait: 0, active: 0, delayed: 0, failed: 0 });
});

test('BullMQ queue: extending the lease keeps a long job from other workers', async (t) => {
  const q = await twoQueues(t);
  if (!q) return;
  const { a, b } = q;
  const id = await a.enqueue(KIND, { generationId: 'gen_long' });
  await a.claim('busy', [KIND], LEASE_MS);
  for (let i = 0; i < 8; i++) {
    await sleep(300);
    assert.equal(await a.extendLease(id, 'busy', LEASE_MS), true);
    assert.equal(await b.claim('idle', [KIND], LEASE_MS), null);
  }
  await a.complete(id, 'busy');
});

test('BullMQ queue: fail retries after retryInMs, then buries the job after its last attempt', async (t) => {
  const q = await twoQueues(t);
  if (!q) return;
  const { a } = q;
  const id = await a.enqueue(KIND, { generationId: 'gen_flaky' }, { maxAttempts: 2 });
  await a.claim('w', [KIND], LEASE_MS);
  assert.equal(await a.fail(id, 'w', 'engine busy', 500), 'retrying');
  assert.equal(await a.claim('w', [KIND], LEASE_MS), null, 'not before its delay');
  const retry = await claimWithin(a, 'w', 3_000);
  assert.equal(retry?.attempt, 2);
  assert.equal(await a.fail(id, 'w', 'engine busy again', 500), 'dead');
  await sleep(700);
  assert.equal(await a.claim('w', [KIND], LEASE_MS), null);
  assert.deepEqual(await q.counts(), { wait: 0, active: 0, delayed: 0, failed: 1 });
});

test('BullMQ queue: fail with retryInMs null buries at once', async (t) => {
  const q = await twoQueues(t);
  if (!q) return;
  const { a } = q;
  const id = await a.enqueue(KIND, { generationId: 'gen_bad' }, { maxAttempts: 5 });
  await a.claim('w', [KIND], LEASE_MS);
  assert.equal(await a.fail(id, 'w', 'x'.repeat(10_000), null), 'dead');
  assert.equal(await a.claim('w', [KIND], LEASE_MS), null);
  assert.deepEqual(await q.counts(), { wait: 0, active: 0, delayed: 0, failed: 1 });
});

test('BullMQ queue: a job whose final attempt lost its lease is buried, not run again', async (t) => {
  const q = await twoQueues(t);
  if (!q) return;
  const { a, b } = q;
  const buried: Job[] = [];
  b.whenBuried(async (job) => {
    buried.push(job);
  });
  const id = await a.enqueue(KIND, { generationId: 'gen_once' }, { maxAttempts: 1 });
  assert.ok(await a.claim('dies', [KIND], LEASE_MS));
  // Claimed past its last attempt once BullMQ's stalled check has handed it back: buried, and never returned.
  for (const until = Date.now() + 6_000; Date.now() < until && (await q.counts()).failed === 0; await sleep(100)) {
    assert.equal(await b.claim('survivor', [KIND], LEASE_MS), null);
  }
  assert.deepEqual(await q.counts(), { wait: 0, active: 0, delayed: 0, failed: 1 });
  assert.deepEqual(buried, [{ id, kind: KIND, payload: { generationId: 'gen_once' }, attempt: 1, maxAttempts: 1 }]);
});

test('BullMQ queue: waitForWork wakes when another process enqueues, on abort and on close', async (t) => {
  const q = await twoQueues(t);
  if (!q) return;
  const { a, b } = q;
  await b.claim('w', [KIND], LEASE_MS); // the waiting side subscribes to the queue's events
  await sleep(200);
  let started = Date.now();
  const woken = b.waitForWork(10_000);
  await a.enqueue(KIND, { generationId: 'gen_wake' });
  await woken;
  assert.ok(Date.now() - started < 5_000, 'woken by the enqueue, not the time-out');

  const abort = new AbortController();
  started = Date.now();
  const aborted = b.waitForWork(10_000, abort.signal);
  abort.abort();
  await aborted;
  const closing = a.waitForWork(10_000);
  await a.close();
  await closing;
  assert.ok(Date.now() - started < 5_000);
});

test('BullMQ queue: enqueuing a key already queued adds nothing, from either process', async (t) => {
  const q = await twoQueues(t);
  if (!q) return;
  const { a, b } = q;
  const first = await a.enqueue(KIND, { generationId: 'gen_k' }, { key: 'gen_k' });
  assert.equal(await b.enqueue(KIND, { generationId: 'gen_k' }, { key: 'gen_k' }), first);
  assert.deepEqual(await q.counts(), { wait: 1, active: 0, delayed: 0, failed: 0 });
  const job = await b.claim('w', [KIND], LEASE_MS);
  assert.equal(job?.id, first);
  // While it runs, the reconciler's repeat adds nothing either.
  await a.enqueue(KIND, { generationId: 'gen_k' }, { key: 'gen_k' });
  assert.deepEqual(await q.counts(), { wait: 0, active: 1, delayed: 0, failed: 0 });
  await b.complete(first, 'w');
});

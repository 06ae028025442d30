/**
 * The job queue on the database. Runs on SQLite, and on PostgreSQL in the second pass of `npm test`
 * (FITROOM_TEST_DB=postgres, testing/test-database.ts), where claims run side by side on a pool of connections.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { parseConfig } from '../config.js';
import { type Db, openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrations.js';
import type { Database, JobRow } from '../db/schema.js';
import { ManualClock } from '../ports/clock.js';
import { createPostgresTestDatabase, type PostgresTestDatabase, testDatabaseKind } from '../testing/test-database.js';
import { JOBS_CHANNEL, pgEnqueueSignal } from './pg-enqueue-signal.js';
import { PgListener } from './pg-listener.js';
import { type EnqueueSignal, MAX_ERROR_LENGTH, SqlJobQueue, type SqlJobQueueOptions } from './sql-job-queue.js';

const LEASE = 30_000;

let dir: string;
let postgres: PostgresTestDatabase | null;
/** Where the database is, as the environment of a process (the other process of the concurrency test) says it. */
let dataEnv: Record<string, string>;
let db: Db;
let clock: ManualClock;
let queue: SqlJobQueue;
/** PostgreSQL: the NOTIFY wake-ups deps.ts wires (SQLite has none). */
let listener: PgListener | null = null;
let enqueueSignal: EnqueueSignal | undefined;

/** A queue as the deployment wires it on this database, with `options` on top. */
const newQueue = (options: Partial<SqlJobQueueOptions> = {}) =>
  new SqlJobQueue({ db, clock, enqueueSignal, ...options });

/** Another connection (pool) to the same database, as another process would have. */
const openAnother = () => openDatabase(parseConfig(dataEnv));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fitroom-queue-'));
  postgres = testDatabaseKind() === 'postgres' ? await createPostgresTestDatabase() : null;
  dataEnv = { DATA_DIR: dir, ...(postgres ? { DATABASE_URL: postgres.url } : {}) };
  db = openAnother();
  await migrateToLatest(db as Kysely<unknown>);
  if (postgres) {
    listener = await PgListener.start(postgres.url, [JOBS_CHANNEL]);
    enqueueSignal = pgEnqueueSignal(listener);
  }
});

after(async () => {
  await listener?.close();
  await db.destroy();
  await postgres?.drop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await db.deleteFrom('jobs').execute();
  clock = new ManualClock('2026-03-30T10:00:00.000Z');
  queue = newQueue();
});

const row = async (id: string): Promise<JobRow> =>
  db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** Run by a second node process in the concurrency test (tsx loads the TypeScript modules there too). */
const OTHER_PROCESS = `
import { createInterface } from 'node:readline';
const env = process.env;
const { openDatabase } = await import(env.QUEUE_TEST_DATABASE);
const { parseConfig } = await import(env.QUEUE_TEST_CONFIG);
const { ManualClock } = await import(env.QUEUE_TEST_CLOCK);
const { SqlJobQueue } = await import(env.QUEUE_TEST_QUEUE);
const db = openDatabase(parseConfig(env));
const queue = new SqlJobQueue({ db, clock: new ManualClock(env.QUEUE_TEST_NOW) });
const stdin = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const first = await queue.claim('other', ['tryon'], 30000);
const claimed = [first.id];
process.stdout.write('first\\n');
await stdin.next();
await queue.complete(first.id, 'other');
await Promise.all([0, 1, 2, 3].map(async (loop) => {
  for (;;) {
    const job = await queue.claim('other-' + loop, ['tryon'], 30000);
    if (!job) return;
    claimed.push(job.id);
    await queue.complete(job.id, 'other-' + loop);
  }
}));
await db.destroy();
process.stdout.write(JSON.stringify(claimed) + '\\n');
process.exit(0);
`;

/** Whether a promise has settled, decided after the already-queued callbacks ran — no wall-clock involved. */
async function state(p: Promise<unknown>): Promise<'settled' | 'pending'> {
  return Promise.race([
    p.then(() => 'settled' as const),
    new Promise<'pending'>((r) => setImmediate(() => r('pending'))),
  ]);
}

describe('SqlJobQueue', () => {
  test('enqueue, claim and complete', async () => {
    const id = await queue.enqueue('tryon', { generationId: 'gen_1' });
    assert.match(id, /^job_[0-9a-z]{20}$/);
    const queued = await row(id);
    assert.equal(queued.status, 'queued');
    assert.equal(queued.attempts, 0);
    assert.equal(queued.max_attempts, 3);
    assert.equal(queued.run_at, '2026-03-30T10:00:00.000Z');

    assert.equal(await queue.claim('w1', ['other-kind'], LEASE), null, 'a worker only receives the kinds it asked for');
    const job = await queue.claim('w1', ['tryon'], LEASE);
    assert.deepEqual(job, { id, kind: 'tryon', payload: { generationId: 'gen_1' }, attempt: 1, maxAttempts: 3 });
    const running = await row(id);
    assert.equal(running.status, 'running');
    assert.equal(running.locked_by, 'w1');
    assert.equal(running.lease_until, '2026-03-30T10:00:30.000Z');
    assert.equal(await queue.claim('w2', ['tryon'], LEASE), null, 'a held job is not handed out twice');

    await queue.complete(id, 'w1');
    assert.equal((await row(id)).status, 'done');
    clock.advance(LEASE * 10);
    assert.equal(await queue.claim('w2', ['tryon'], LEASE), null, 'a finished job never comes back');
  });

  test('jobs are claimed in run_at order and a delayed job waits for its time', async () => {
    const later = await queue.enqueue('tryon', { n: 'later' }, { delayMs: 5_000, maxAttempts: 1 });
    clock.advance(1);
    const now = await queue.enqueue('tryon', { n: 'now' });
    assert.equal((await queue.claim('w', ['tryon'], LEASE))?.id, now);
    assert.equal(await queue.claim('w', ['tryon'], LEASE), null);
    clock.advance(4_998);
    assert.equal(await queue.claim('w', ['tryon'], LEASE), null);
    clock.advance(1);
    const job = await queue.claim('w', ['tryon'], LEASE);
    assert.equal(job?.id, later);
    assert.equal(job?.maxAttempts, 1);
  });

  test('every job is claimed exactly once by 8 concurrent loops and a second connection in another process', async (t) => {
    const total = 200;
    const ids = new Set<string>();
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < total; i++) ids.add(await queue.enqueue('tryon', { i }, { tx }));
    });

    // The other side is a real second process on the same database, with its own connection, queue instance and clock,
    // claiming in parallel with this one: the view a second server or the CLI has.
    const child = spawn(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', '--input-type=module', '--eval', OTHER_PROCESS],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {
          ...process.env,
          ...dataEnv,
          QUEUE_TEST_NOW: clock.now().toISOString(),
          QUEUE_TEST_DATABASE: new URL('../db/database.ts', import.meta.url).href,
          QUEUE_TEST_CONFIG: new URL('../config.ts', import.meta.url).href,
          QUEUE_TEST_CLOCK: new URL('../ports/clock.ts', import.meta.url).href,
          QUEUE_TEST_QUEUE: new URL('./sql-job-queue.ts', import.meta.url).href,
        },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const exited = new Promise<number | null>((r) => child.on('close', r));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const nextLine = async () => {
      const { value, done } = await lines.next();
      assert.ok(!done, `the other process ended early: ${stderr}`);
      return String(value);
    };

    // Both sides are guaranteed to claim: the other process holds one job before this side starts, and this side
    // holds one before the other continues; after that they race freely for the remaining 198.
    assert.equal(await nextLine(), 'first');
    const mine: string[] = [];
    const firstMine = await queue.claim('main', ['tryon'], LEASE);
    assert.ok(firstMine);
    mine.push(firstMine.id);
    child.stdin.write('go\n');
    await queue.complete(firstMine.id, 'main');
    await Promise.all(
      Array.from({ length: 8 }, async (_, loop) => {
        for (;;) {
          const job = await queue.claim(`main-${loop}`, ['tryon'], LEASE);
          if (!job) return;
          mine.push(job.id);
          // Yield so the loops interleave on this connection while the other process keeps claiming.
          await new Promise((r) => setImmediate(r));
          await queue.complete(job.id, `main-${loop}`);
        }
      }),
    );
    const theirs = JSON.parse(await nextLine()) as string[];
    assert.equal(await exited, 0, stderr);
    t.diagnostic(`this process claimed ${mine.length}, the other ${theirs.length}`);

    const all = [...mine, ...theirs];
    assert.equal(all.length, total, `claimed ${all.length} deliveries for ${total} jobs`);
    assert.equal(new Set(all).size, total, 'no job was delivered twice');
    assert.deepEqual(new Set(all), ids);
    const rows = await db.selectFrom('jobs').select(['status', 'attempts']).execute();
    assert.ok(rows.every((r) => r.status === 'done' && r.attempts === 1));
  });

  test('an expired lease is claimed again by another worker; the old worker can no longer finish it', async () => {
    const id = await queue.enqueue('tryon', { generationId: 'gen_1' });
    const first = await queue.claim('w-old', ['tryon'], LEASE);
    assert.equal(first?.attempt, 1);

    clock.advance(LEASE - 1);
    assert.equal(await queue.claim('w-new', ['tryon'], LEASE), null, 'the lease still holds');
    clock.advance(2);
    const second = await queue.claim('w-new', ['tryon'], LEASE);
    assert.equal(second?.id, id);
    assert.equal(second?.attempt, 2);

    await queue.complete(id, 'w-old');
    let current = await row(id);
    assert.equal(current.status, 'running', "the old worker's complete is refused");
    assert.equal(current.locked_by, 'w-new');
    assert.equal(await queue.extendLease(id, 'w-old', LEASE), false);
    assert.equal(await queue.fail(id, 'w-old', 'boom', 1_000), 'retrying', 'not dead: the new holder is running it');
    current = await row(id);
    assert.equal(current.status, 'running', "the old worker's fail is refused");
    assert.equal(current.last_error, null);

    await queue.complete(id, 'w-new');
    assert.equal((await row(id)).status, 'done');
  });

  test('extendLease keeps a long job away from other workers', async () => {
    const id = await queue.enqueue('tryon', {});
    await queue.claim('w1', ['tryon'], LEASE);
    clock.advance(LEASE - 1_000);
    assert.equal(await queue.extendLease(id, 'w1', LEASE), true);
    clock.advance(LEASE - 1_000);
    assert.equal(await queue.claim('w2', ['tryon'], LEASE), null);
    clock.advance(2_000);
    assert.equal((await queue.claim('w2', ['tryon'], LEASE))?.attempt, 2);
  });

  test('a job whose final attempt lost its lease is buried, not handed out again', async () => {
    const id = await queue.enqueue('tryon', {}, { maxAttempts: 2 });
    assert.equal((await queue.claim('w1', ['tryon'], LEASE))?.attempt, 1);
    clock.advance(LEASE + 1);
    assert.equal((await queue.claim('w2', ['tryon'], LEASE))?.attempt, 2);
    clock.advance(LEASE + 1);
    assert.equal(await queue.claim('w3', ['tryon'], LEASE), null);
    const dead = await row(id);
    assert.equal(dead.status, 'dead');
    assert.equal(dead.attempts, 2);
    assert.match(dead.last_error ?? '', /lease expired/);
    assert.equal(await queue.fail(id, 'w2', 'late failure', 1_000), 'dead', 'the late worker learns the job is dead');
  });

  test('jobs of a holder proven gone are released at once (no lease wait), once; a live holder keeps its jobs', async () => {
    const enqueue = async (n: string) => {
      const id = await queue.enqueue('tryon', { n });
      clock.advance(1); // claimed in this order
      return id;
    };
    const a = await enqueue('a');
    const b = await enqueue('b');
    const c = await enqueue('c');
    const queued = await queue.enqueue('tryon', { n: 'queued' }, { delayMs: 60_000 });
    assert.equal((await queue.claim('dead#0', ['tryon'], LEASE))?.id, a);
    assert.equal((await queue.claim('dead#1', ['tryon'], LEASE))?.id, b);
    assert.equal((await queue.claim('alive#0', ['tryon'], LEASE))?.id, c);

    const asked: string[] = [];
    const isGone = (holder: string) => {
      asked.push(holder);
      return holder.startsWith('dead');
    };
    assert.deepEqual(await queue.releaseJobsOfGoneHolders(isGone), { jobs: 2, holders: ['dead#0', 'dead#1'] });
    assert.deepEqual(asked.sort(), ['alive#0', 'dead#0', 'dead#1'], 'only running jobs, each holder asked once');
    assert.match((await row(a)).last_error ?? '', /dead#0 is gone/);
    assert.equal((await row(queued)).status, 'queued');

    // Claimable at this very instant (the clock has not moved), as the next attempt.
    const again = [await queue.claim('new#0', ['tryon'], LEASE), await queue.claim('new#1', ['tryon'], LEASE)];
    assert.deepEqual(
      again.map((j) => [j?.id, j?.attempt]),
      [
        [a, 2],
        [b, 2],
      ],
    );
    assert.equal(await queue.claim('new#2', ['tryon'], LEASE), null, "the live holder's job stays with it");
    assert.equal((await row(c)).locked_by, 'alive#0');

    // A second look (another server starting) finds nothing more to release, and the new holders keep their jobs.
    assert.deepEqual(await queue.releaseJobsOfGoneHolders((h) => h.startsWith('dead')), { jobs: 0, holders: [] });
    await queue.complete(a, 'dead#0');
    assert.equal((await row(a)).status, 'running', 'the dead holder (were it not dead) could not finish it');
    await queue.complete(a, 'new#0');
    await queue.complete(a, 'new#1');
    assert.equal((await row(a)).status, 'done');
  });

  test('a released job on its final attempt is buried by the next claim, as after a lost lease', async () => {
    const id = await queue.enqueue('tryon', {}, { maxAttempts: 1 });
    await queue.claim('dead#0', ['tryon'], LEASE);
    assert.equal((await queue.releaseJobsOfGoneHolders(() => true)).jobs, 1);
    assert.equal(await queue.claim('w2', ['tryon'], LEASE), null);
    assert.equal((await row(id)).status, 'dead');
  });

  test('fail schedules retries at now + retryInMs, then buries the job after max attempts', async () => {
    const id = await queue.enqueue('tryon', {}, { maxAttempts: 3 });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const job = await queue.claim('w', ['tryon'], LEASE);
      assert.equal(job?.attempt, attempt);
      assert.equal(await queue.fail(id, 'w', `engine error ${attempt}`, 10_000), 'retrying');
      const queued = await row(id);
      assert.equal(queued.status, 'queued');
      assert.equal(queued.last_error, `engine error ${attempt}`);
      assert.equal(queued.lease_until, null);
      assert.equal(await queue.claim('w', ['tryon'], LEASE), null, 'not before the backoff');
      clock.advance(9_999);
      assert.equal(await queue.claim('w', ['tryon'], LEASE), null, 'not before the backoff');
      clock.advance(1);
    }
    assert.equal((await queue.claim('w', ['tryon'], LEASE))?.attempt, 3);
    assert.equal(await queue.fail(id, 'w', 'engine error 3', 10_000), 'dead');
    const dead = await row(id);
    assert.equal(dead.status, 'dead');
    assert.equal(dead.last_error, 'engine error 3');
    clock.advance(LEASE * 10);
    assert.equal(await queue.claim('w', ['tryon'], LEASE), null);
  });

  test('fail with retryInMs null buries at once; long errors are truncated', async () => {
    const id = await queue.enqueue('tryon', {});
    await queue.claim('w', ['tryon'], LEASE);
    assert.equal(await queue.fail(id, 'w', 'x'.repeat(50_000), null), 'dead');
    const dead = await row(id);
    assert.equal(dead.status, 'dead');
    assert.equal(dead.attempts, 1);
    assert.equal(Array.from(dead.last_error ?? '').length, MAX_ERROR_LENGTH);
    assert.ok(dead.last_error?.endsWith('…'));
  });

  test('an enqueue inside a rolled-back transaction leaves no job; a committed one does', async () => {
    await assert.rejects(
      db.transaction().execute(async (tx) => {
        await queue.enqueue('tryon', { generationId: 'gen_rolled_back' }, { tx });
        throw new Error('caller failed after enqueue');
      }),
      /caller failed/,
    );
    assert.equal((await db.selectFrom('jobs').select('id').execute()).length, 0);
    assert.equal(await queue.claim('w', ['tryon'], LEASE), null);

    const id = await db.transaction().execute((tx) => queue.enqueue('tryon', { generationId: 'gen_ok' }, { tx }));
    assert.deepEqual((await queue.claim('w', ['tryon'], LEASE))?.payload, { generationId: 'gen_ok' });
    assert.equal((await row(id)).status, 'running');
  });

  test('ten claims at once on ten queued jobs each take a different one (none comes back empty)', async () => {
    // On PostgreSQL these run on ten connections at once. Without SKIP LOCKED they would all pick the oldest job, one
    // would take it and the others would find it no longer due and return null, though nine jobs are waiting.
    const ids = new Set<string>();
    for (let i = 0; i < 10; i++) ids.add(await queue.enqueue('tryon', { i }));
    const claims = await Promise.all(Array.from({ length: 10 }, (_, w) => queue.claim(`w${w}`, ['tryon'], LEASE)));
    assert.deepEqual(new Set(claims.map((c) => c?.id)), ids);
    const rows = await db.selectFrom('jobs').select(['status', 'locked_by']).execute();
    assert.ok(rows.every((r) => r.status === 'running'));
    assert.equal(new Set(rows.map((r) => r.locked_by)).size, 10);
  });

  test('a worker woken during the enqueuing transaction finds the job once it commits', async () => {
    const slow = newQueue({ pollIntervalMs: 3_600_000 });
    const woken = slow.waitForWork(3_600_000).then(() => slow.claim('w', ['tryon'], LEASE));
    await db.transaction().execute(async (tx) => {
      await slow.enqueue('tryon', { generationId: 'gen_tx' }, { tx });
      // The waiter is already awake; its claim must wait for the commit rather than miss the job.
      await new Promise((r) => setImmediate(r));
    });
    assert.deepEqual((await woken)?.payload, { generationId: 'gen_tx' });
  });

  test('waitForWork wakes on an in-process enqueue, on abort and on close; a notification is not lost', async () => {
    // A poll interval of an hour: if these resolve, the wake-up did it, not the fallback timer. The in-process
    // wake-ups, without an enqueue signal (PostgreSQL's, which arrives after the commit, is tested below).
    const q = newQueue({ pollIntervalMs: 3_600_000, enqueueSignal: undefined });

    const w1 = q.waitForWork(3_600_000);
    const w2 = q.waitForWork(3_600_000);
    assert.equal(await state(w1), 'pending');
    await q.enqueue('tryon', {});
    assert.equal(await state(w1), 'settled');
    assert.equal(await state(w2), 'settled', 'every idle worker is woken');

    // Nobody was waiting at enqueue time (the worker was busy): its next wait returns at once, exactly once.
    await q.enqueue('tryon', {});
    assert.equal(await state(q.waitForWork(3_600_000)), 'settled');
    const w3 = q.waitForWork(3_600_000);
    assert.equal(await state(w3), 'pending');

    const controller = new AbortController();
    const w4 = q.waitForWork(3_600_000, controller.signal);
    assert.equal(await state(w4), 'pending');
    controller.abort();
    assert.equal(await state(w4), 'settled');
    assert.equal(await state(q.waitForWork(3_600_000, controller.signal)), 'settled', 'already aborted');
    assert.equal(await state(w3), 'pending', 'aborting one waiter does not wake the others');

    await q.close();
    assert.equal(await state(w3), 'settled');
    assert.equal(await state(q.waitForWork(3_600_000)), 'settled', 'waits after close return at once');
  });

  test('waitForWork falls back to the poll interval, so jobs enqueued by another process are found', async () => {
    const other = openAnother();
    try {
      // Without an enqueue signal (SQLite's case; on PostgreSQL the signal is left out here).
      const otherQueue = new SqlJobQueue({ db: other as Kysely<Database>, clock });
      const q = new SqlJobQueue({ db, clock, pollIntervalMs: 300 });
      const waiting = q.waitForWork(3_600_000);
      await otherQueue.enqueue('tryon', { from: 'cli' });
      assert.equal(await state(waiting), 'pending', 'another connection cannot notify this process');
      await waiting; // resolves through the 300 ms poll fallback; the test would hang for an hour otherwise
      assert.deepEqual((await q.claim('w', ['tryon'], LEASE))?.payload, { from: 'cli' });
    } finally {
      await other.destroy();
    }
  });

  test('PostgreSQL: a job committed through another connection wakes a waiting worker at once (NOTIFY), not at its poll', {
    skip: testDatabaseKind() === 'postgres' ? false : 'PostgreSQL only: SQLite has no enqueue signal',
  }, async () => {
    const other = openAnother();
    try {
      const otherQueue = new SqlJobQueue({ db: other as Kysely<Database>, clock, enqueueSignal });
      const q = newQueue({ pollIntervalMs: 3_600_000 });
      const waiting = q.waitForWork(3_600_000);
      const id = await other.transaction().execute(async (tx) => {
        const queued = await otherQueue.enqueue('tryon', { from: 'another process' }, { tx });
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(await state(waiting), 'pending', 'not before the commit');
        return queued;
      });
      await waiting; // would hang for an hour without the signal
      assert.equal((await q.claim('w', ['tryon'], LEASE))?.id, id);
    } finally {
      await other.destroy();
    }
  });
});

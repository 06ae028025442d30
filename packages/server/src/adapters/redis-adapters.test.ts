/** REDIS_URL's adapters as a deployment gets them: connected together, working, closed together; no Redis, no start. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDIS_TEST_URL, testRedis } from '../testing/test-redis.js';
import { connectRedisAdapters, redisErrorReporter } from './redis-adapters.js';

test('Redis adapters: rate limits, wake-ups and the job queue share one prefix, and close leaves no connection', async (t) => {
  const r = await testRedis(t);
  if (!r) return;
  t.after(() => r.cleanup());
  const errors: unknown[] = [];
  const adapters = await connectRedisAdapters(REDIS_TEST_URL, r.prefix, (e) => errors.push(e));
  const clientsBefore = await r.redis.client('LIST');
  assert.equal((await adapters.rateLimits.hit('acct:1', 60_000, Date.now())).count, 1);
  const woken = adapters.events.waitForTerminal('gen_1', 5_000);
  adapters.events.publishTerminal('gen_1');
  assert.equal(await woken, true);
  const id = await adapters.queue.enqueue('try-on', { generationId: 'gen_1' });
  assert.equal((await adapters.queue.claim('w', ['try-on'], 60_000))?.id, id);
  await adapters.queue.complete(id, 'w');
  assert.ok((await r.redis.keys(`${r.prefix}*`)).length > 0, 'keys are written under the prefix');

  await adapters.close();
  const open = (list: unknown) => String(list).trim().split('\n').length;
  // Only the test's own connection is left of those open before close (the adapters' are gone).
  assert.ok(open(await r.redis.client('LIST')) < open(clientsBefore));
  assert.deepEqual(errors, []);
});

test('Redis adapters: an unreachable Redis fails the start, saying where, without the password', async () => {
  await assert.rejects(
    connectRedisAdapters('redis://:s3cret@127.0.0.1:1', 'fitroom-test:', () => {}),
    (err: Error) => {
      assert.match(err.message, /^cannot reach Redis at 127\.0\.0\.1:1: /);
      assert.ok(!err.message.includes('s3cret'));
      return true;
    },
  );
});

test("Redis adapters: a periodic task is one process's turn at a time, until its time runs out", async (t) => {
  const r = await testRedis(t);
  if (!r) return;
  const a = await connectRedisAdapters(REDIS_TEST_URL, r.prefix, () => {});
  const b = await connectRedisAdapters(REDIS_TEST_URL, r.prefix, () => {});
  t.after(async () => {
    await a.close();
    await b.close();
    await r.cleanup();
  });
  assert.equal(await a.takeTurn('sweep', 300), true);
  assert.equal(await b.takeTurn('sweep', 300), false);
  assert.equal(await a.takeTurn('sweep', 300), false, 'not twice in one interval, even for the same process');
  assert.equal(await b.takeTurn('other-task', 300), true, 'tasks are apart');
  await new Promise((done) => setTimeout(done, 400));
  assert.equal(await b.takeTurn('sweep', 300), true);
});

test('Redis errors become at most one stderr line per 10 s, saying how many were left out', () => {
  const lines: string[] = [];
  let now = 1_000_000;
  const report = redisErrorReporter(
    (line) => lines.push(line),
    () => now,
  );
  report(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
  for (let i = 0; i < 50; i++) report(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
  now += 10_000;
  report('reconnected badly');
  assert.deepEqual(
    lines.map((l) => JSON.parse(l)),
    [
      {
        level: 50,
        time: 1_000_000,
        msg: 'Redis error',
        err: { message: 'connect ECONNREFUSED 127.0.0.1:6379' },
        suppressed: 0,
      },
      { level: 50, time: 1_010_000, msg: 'Redis error', err: { message: 'reconnected badly' }, suppressed: 50 },
    ],
  );
});

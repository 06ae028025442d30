/**
 * The GenerationEvents port on both adapters: in memory (embedded: the worker runs in the waiting process) and Redis
 * pub/sub (scale-out: the worker that finishes a generation may be another process than the one holding
 * `/try-on/sync`).
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { GenerationEvents } from '../ports/generation-events.js';
import { testRedis } from '../testing/test-redis.js';
import { MemoryGenerationEvents } from './memory-generation-events.js';
import { RedisGenerationEvents } from './redis-generation-events.js';

/** `waiter` is where /try-on/sync waits, `finisher` where the generation completes (the same for memory). */
type Pair = { waiter: GenerationEvents; finisher: GenerationEvents };

function eventsContract(name: string, setup: (t: TestContext) => Promise<Pair | null>) {
  describe(`GenerationEvents: ${name}`, () => {
    test('a waiter wakes when its generation is published as terminal', async (t) => {
      const p = await setup(t);
      if (!p) return;
      const started = Date.now();
      const woken = p.waiter.waitForTerminal('gen_a', 10_000);
      setTimeout(() => p.finisher.publishTerminal('gen_a'), 50);
      assert.equal(await woken, true);
      assert.ok(Date.now() - started < 5_000);
    });

    test('another generation does not wake it; it times out with false', async (t) => {
      const p = await setup(t);
      if (!p) return;
      const woken = p.waiter.waitForTerminal('gen_b', 300);
      p.finisher.publishTerminal('gen_other');
      assert.equal(await woken, false);
    });

    test('every waiter of one generation wakes; an aborted wait ends with false', async (t) => {
      const p = await setup(t);
      if (!p) return;
      const abort = new AbortController();
      const waits = [
        p.waiter.waitForTerminal('gen_c', 10_000),
        p.waiter.waitForTerminal('gen_c', 10_000),
        p.finisher.waitForTerminal('gen_c', 10_000),
      ];
      const aborted = p.waiter.waitForTerminal('gen_c', 10_000, abort.signal);
      abort.abort();
      assert.equal(await aborted, false);
      p.finisher.publishTerminal('gen_c');
      assert.deepEqual(await Promise.all(waits), [true, true, true]);
    });
  });
}

eventsContract('memory (one process)', async () => {
  const events = new MemoryGenerationEvents();
  return { waiter: events, finisher: events };
});

eventsContract('Redis pub/sub (two processes)', async (t) => {
  const r = await testRedis(t);
  if (!r) return null;
  const errors: unknown[] = [];
  const waiter = await RedisGenerationEvents.connect(r.redis, r.prefix, (e) => errors.push(e));
  const finisher = await RedisGenerationEvents.connect(r.connect(), r.prefix, (e) => errors.push(e));
  t.after(async () => {
    await waiter.close();
    await finisher.close();
    await r.cleanup();
    assert.deepEqual(errors, []);
  });
  return { waiter, finisher };
});

test('Redis pub/sub: deployments with different prefixes do not wake each other', async (t) => {
  const r = await testRedis(t);
  if (!r) return;
  const mine = await RedisGenerationEvents.connect(r.redis, r.prefix, () => {});
  const theirs = await RedisGenerationEvents.connect(r.connect(), `${r.prefix}other:`, () => {});
  t.after(async () => {
    await mine.close();
    await theirs.close();
    await r.cleanup();
  });
  const woken = mine.waitForTerminal('gen_shared_id', 300);
  theirs.publishTerminal('gen_shared_id');
  assert.equal(await woken, false);
});

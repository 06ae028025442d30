import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EngineError } from '../engine.js';
import { decodeImage, detectPerson } from '../vision/person-detector.js';
import { readPerson } from '../vision/test-fixtures.js';
import type { PersonDetection } from '../vision/types.js';
import { createEnginePool, type EnginePool } from './engine-pool.js';

const TEST_TASKS = new URL(
  import.meta.url.endsWith('.ts') ? '../pool/test-tasks.ts' : '../pool/test-tasks.js',
  import.meta.url,
);
const code = (c: string) => (err: unknown) => err instanceof EngineError && err.code === c;
const isAbort = (err: unknown) => err instanceof Error && err.name === 'AbortError';

let pool: EnginePool;
const names = ['man-1.png', 'woman-2.png', 'astronaut-half-body.png', 'woman-3.png'];
const local = new Map<string, PersonDetection>();

before(async () => {
  // Workers load their models while the main thread computes the in-process reference results.
  pool = createEnginePool({ threads: 2, taskModules: [TEST_TASKS], abortGraceMs: 300 });
  for (const name of names) local.set(name, await detectPerson(await decodeImage(readPerson(name))));
});
after(() => pool.close());

describe('engine pool', () => {
  test('concurrent detectPerson on 2 threads gives the in-process results', async () => {
    const results = await Promise.all(names.map((n) => pool.detectPerson(readPerson(n))));
    results.forEach((r, i) => {
      const ref = local.get(names[i]!)!;
      assert.deepEqual(r.keypoints, ref.keypoints);
      assert.equal(r.score, ref.score);
      assert.deepEqual(r.face, ref.face);
      assert.ok(r.mask && ref.mask);
      assert.equal(r.mask.width, ref.mask.width);
      assert.ok(r.mask.data instanceof Uint8Array);
      assert.deepEqual(r.mask.data, ref.mask.data);
    });
  });

  test('both threads do work, one task at a time each', async () => {
    // Four overlapping tasks on two single-task workers: both workers must take some.
    const ids = await Promise.all(
      [1, 2, 3, 4].map(() => pool.run<{ threadId: number }>('test.sleep', { ms: 100 }).then((r) => r.threadId)),
    );
    assert.equal(new Set(ids).size, 2);
  });

  test('EngineError codes and retryability cross the thread boundary', async () => {
    await assert.rejects(pool.run('test.fail', { code: 'NO_PERSON_DETECTED', retryable: false }), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'NO_PERSON_DETECTED');
      assert.equal(err.retryable, false);
      return true;
    });
    await assert.rejects(pool.run('test.fail', { code: 'ENGINE_FAILED', retryable: true }), (err: unknown) => {
      return err instanceof EngineError && err.code === 'ENGINE_FAILED' && err.retryable;
    });
    await assert.rejects(pool.run('test.throwPlain', null), code('ENGINE_FAILED'));
    await assert.rejects(pool.detectPerson(new Uint8Array([1, 2, 3])), code('INVALID_IMAGE'));
  });

  test('an unknown task rejects with ENGINE_UNAVAILABLE', async () => {
    await assert.rejects(pool.run('no.such.task', {}), code('ENGINE_UNAVAILABLE'));
  });

  test('a crashing task rejects with a retryable ENGINE_FAILED and the pool keeps working', async () => {
    await assert.rejects(pool.run('test.crash', null), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'ENGINE_FAILED');
      assert.equal(err.retryable, true);
      assert.match(err.message, /boom/);
      return true;
    });
    // The replacement worker loads its models on demand and answers like the others.
    const again = await Promise.all(['man-1.png', 'woman-3.png'].map((n) => pool.detectPerson(readPerson(n))));
    assert.deepEqual(again[0]!.keypoints, local.get('man-1.png')!.keypoints);
    assert.deepEqual(again[1]!.keypoints, local.get('woman-3.png')!.keypoints);
    const ids = await Promise.all([1, 2, 3, 4].map(() => pool.run<{ threadId: number }>('test.sleep', { ms: 30 })));
    assert.equal(ids.length, 4);
  });

  test('abort: a queued or running task rejects at once; a cooperative worker is reused', async () => {
    const controller = new AbortController();
    const running = pool.run('test.sleep', { ms: 10_000 }, [], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(running, isAbort);
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(pool.run('test.echo', 1, [], { signal: pre.signal }), isAbort);
    assert.deepEqual((await pool.run<{ payload: unknown }>('test.echo', 'still here')).payload, 'still here');
  });

  test('abort: a worker stuck in a task that ignores the signal is replaced, not wedged', async () => {
    const controllers = [new AbortController(), new AbortController()];
    // Occupy both threads with blocking work, then abort both.
    const stuck = controllers.map((c) => pool.run('test.spin', { ms: 60_000 }, [], { signal: c.signal }));
    const queued = pool.run<{ payload: unknown }>('test.echo', 'after');
    setTimeout(() => {
      for (const c of controllers) c.abort();
    }, 100);
    for (const s of stuck) await assert.rejects(s, isAbort);
    // Terminated after the 300 ms grace and replaced: the queued task and new ones complete.
    assert.equal((await queued).payload, 'after');
    const d = await pool.detectPerson(readPerson('woman-2.png'));
    assert.deepEqual(d.keypoints, local.get('woman-2.png')!.keypoints);
  });

  test('tryOn dispatches to the configured task, and is unavailable when no such task exists', async () => {
    const other = createEnginePool({ threads: 1, taskModules: [TEST_TASKS], tryOnTask: 'test.tryOn' });
    const missing = createEnginePool({ threads: 1, tryOnTask: 'noSuchTryOn' });
    try {
      const person = new Uint8Array([1, 2, 3]);
      const out = await other.tryOn({ person, product: { title: 'tee', description: null, images: [] } });
      assert.deepEqual([...out.image], [1, 2, 3]);
      assert.equal(out.diagnostics?.title, 'tee');
      await assert.rejects(
        missing.tryOn({ person, product: { title: null, description: null, images: [] } }),
        code('ENGINE_UNAVAILABLE'),
      );
    } finally {
      await Promise.all([other.close(), missing.close()]);
    }
  });

  test('close rejects pending work and later calls', async () => {
    const p = createEnginePool({ threads: 1, taskModules: [TEST_TASKS] });
    // Wait until the worker runs the first task, so that close meets one running and one queued task.
    await p.run('test.echo', 0);
    const running = assert.rejects(p.run('test.sleep', { ms: 5000 }), code('ENGINE_UNAVAILABLE'));
    const queued = assert.rejects(p.run('test.echo', 1), code('ENGINE_UNAVAILABLE'));
    await p.close();
    await running;
    await queued;
    await assert.rejects(p.run('test.echo', 2), code('ENGINE_UNAVAILABLE'));
  });
});

/**
 * Test support for engines/engine-pool.test.ts: tasks that misbehave on purpose. Loaded into workers through the
 * pool's `taskModules` option only; never imported by engines/worker-tasks.ts, so production workers lack them.
 */
import { threadId } from 'node:worker_threads';
import { EngineError, type EngineErrorCode, type TryOnOutput } from '../engine.js';
import { registerTask, throwIfAborted } from './registry.js';

registerTask('test.echo', async (payload) => ({ value: { payload, threadId } }));

registerTask('test.sleep', async (payload, ctx) => {
  const ms = (payload as { ms: number }).ms;
  const started = Date.now();
  while (Date.now() - started < ms) {
    throwIfAborted(ctx.signal);
    await new Promise((r) => setTimeout(r, 10));
  }
  return { value: { slept: ms, threadId } };
});

/** Blocks the thread and ignores the abort signal, like a long wasm call. */
registerTask('test.spin', async (payload) => {
  const until = Date.now() + (payload as { ms: number }).ms;
  while (Date.now() < until) {
    // busy
  }
  return { value: 'spun' };
});

/** An uncaught exception outside the task's promise chain kills the worker, as a native crash would. */
registerTask('test.crash', () => {
  setImmediate(() => {
    throw new Error('boom');
  });
  return new Promise(() => {});
});

registerTask('test.fail', async (payload) => {
  const { code, retryable } = payload as { code: EngineErrorCode; retryable: boolean };
  throw new EngineError(code, `failed with ${code}`, retryable);
});

registerTask('test.throwPlain', async () => {
  throw new TypeError('not an engine error');
});

/** A stand-in try-on: returns the person image unchanged, like the mock engine. */
registerTask('test.tryOn', async (payload) => {
  const { person, product } = payload as { person: Uint8Array; product: { title: string | null } };
  const value: TryOnOutput = {
    image: person,
    contentType: 'image/png',
    width: 1,
    height: 1,
    diagnostics: { title: product.title },
  };
  return { value };
});

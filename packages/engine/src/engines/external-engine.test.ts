/** The external engine's client against a scripted service: the checks mode in `meta`, the typed codes of a 422. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError, type TryOnInput } from '../engine.js';
import { ExternalEngine } from './external-engine.js';

const input = (checks?: TryOnInput['checks']): TryOnInput => ({
  person: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
  product: { title: 'Tee', description: null, images: [{ data: new Uint8Array([1]), contentHash: 'x', role: null }] },
  ...(checks ? { checks } : {}),
});

/** An engine whose service answers 422 with `code`, recording the `meta` part of each request. */
function refusing(code: string) {
  const metas: Array<Record<string, unknown>> = [];
  const engine = new ExternalEngine({
    baseUrl: 'http://gpu.invalid',
    fetch: (async (_url: string, init: RequestInit) => {
      metas.push(JSON.parse(String((init.body as FormData).get('meta'))));
      return new Response(JSON.stringify({ code, message: `refused: ${code}` }), {
        status: 422,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch,
  });
  return { engine, metas };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => (err instanceof EngineError ? { code: err.code, message: err.message } : null),
  );

describe('external engine', () => {
  it('forwards the checks mode in meta: strict unless the input says lenient', async () => {
    const { engine, metas } = refusing('ENGINE_FAILED');
    await failure(engine.tryOn(input()));
    await failure(engine.tryOn(input('lenient')));
    assert.deepEqual(
      metas.map((m) => [m.protocol, m.checks]),
      [
        [1, 'strict'],
        [1, 'lenient'],
      ],
    );
  });

  it('a 422 with a check code fails with that code and the service’s message', async () => {
    for (const code of ['UNSUPPORTED_POSE', 'UNSUPPORTED_OUTFIT', 'QUALITY_CHECK_FAILED', 'NO_PERSON_DETECTED']) {
      assert.deepEqual(await failure(refusing(code).engine.tryOn(input())), { code, message: `refused: ${code}` });
    }
    assert.equal((await failure(refusing('SOMETHING_ELSE').engine.tryOn(input())))?.code, 'ENGINE_FAILED');
  });

  it('no answer within its time limit is ENGINE_TIMEOUT (retryable); a refused connection ENGINE_UNAVAILABLE', async () => {
    const hanging = new ExternalEngine({
      baseUrl: 'http://gpu.invalid',
      timeoutMs: 50,
      // Never answers; the ref'd timer keeps the event loop up (AbortSignal.timeout's own timer does not).
      fetch: ((_url: string, init: RequestInit) =>
        new Promise((_resolve, reject) => {
          const alive = setTimeout(() => reject(new Error('the time limit never fired')), 5000);
          init.signal?.addEventListener('abort', () => {
            clearTimeout(alive);
            reject(init.signal?.reason);
          });
        })) as typeof fetch,
    });
    const slow = await hanging.tryOn(input()).catch((err: EngineError) => err);
    assert.deepEqual([(slow as EngineError).code, (slow as EngineError).retryable], ['ENGINE_TIMEOUT', true]);
    const down = new ExternalEngine({
      baseUrl: 'http://gpu.invalid',
      fetch: (async () => {
        throw new TypeError('fetch failed');
      }) as typeof fetch,
    });
    assert.equal((await failure(down.tryOn(input())))?.code, 'ENGINE_UNAVAILABLE');
  });
});

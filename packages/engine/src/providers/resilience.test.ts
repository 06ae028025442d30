/**
 * Retries with backoff, the circuit breaker and the fallback chain, on scripted engines and on the FASHN fake, with
 * a fake clock (time moves when the code sleeps; no test waits).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EngineError, type EngineErrorCode, type TryOnEngine, type TryOnInput, type TryOnOutput } from '../engine.js';
import { fakeClock } from '../testing/fake-clock.js';
import { type FakeFashn, startFakeFashn } from '../testing/fake-fashn.js';
import { readGarment, readPerson } from '../vision/test-fixtures.js';
import { FashnEngine } from './fashn-engine.js';
import { ALL_CATEGORIES, type ChainLink, EngineChain, ResilientEngine } from './resilience.js';

const OK: TryOnOutput = { image: new Uint8Array([1]), contentType: 'image/png', width: 1, height: 1 };
const input = (title = 'Tee'): TryOnInput => ({
  person: new Uint8Array([0xff, 0xd8]),
  product: { title, description: null, images: [{ data: new Uint8Array([1]), contentHash: 'h', role: null }] },
});

type Step = 'ok' | { code: EngineErrorCode; retryable?: boolean; retryAfterMs?: number };

/** An engine answering its script in order ('ok' when it runs out), counting its calls. */
class Scripted implements TryOnEngine {
  calls = 0;
  constructor(
    readonly name: string,
    readonly script: Step[] = [],
  ) {}
  async tryOn(): Promise<TryOnOutput> {
    this.calls++;
    const step = this.script.shift() ?? 'ok';
    if (step === 'ok') return { ...OK, diagnostics: { by: this.name } };
    throw new EngineError(step.code, `${this.name}: ${step.code}`, step.retryable ?? true, {
      retryAfterMs: step.retryAfterMs,
    });
  }
  async close(): Promise<void> {}
}

const down = (n: number, code: EngineErrorCode = 'ENGINE_UNAVAILABLE'): Step[] =>
  Array.from({ length: n }, () => ({ code }));

const rejection = async (p: Promise<unknown>): Promise<EngineError> => {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EngineError, String(err));
    return err;
  }
  assert.fail('expected a failure');
};

describe('retries with backoff', () => {
  it('retries a rate limit, doubling the wait, and a longer retry-after wins', async () => {
    const clock = fakeClock();
    const inner = new Scripted('fashn', [
      { code: 'ENGINE_RATE_LIMITED' },
      { code: 'ENGINE_RATE_LIMITED', retryAfterMs: 5000 },
    ]);
    const out = await new ResilientEngine(inner, { clock, retries: 2, backoffMs: 1000 }).tryOn(input());
    assert.equal(out.diagnostics?.by, 'fashn');
    assert.equal(inner.calls, 3);
    assert.deepEqual(clock.slept, [1000, 5000]);
  });

  it("gives up after its retries with the engine's own error", async () => {
    const clock = fakeClock();
    const inner = new Scripted('fashn', down(5, 'ENGINE_RATE_LIMITED'));
    const err = await rejection(new ResilientEngine(inner, { clock, retries: 2, backoffMs: 500 }).tryOn(input()));
    assert.equal(err.code, 'ENGINE_RATE_LIMITED');
    assert.equal(inner.calls, 3);
    assert.deepEqual(clock.slept, [500, 1000]);
  });

  it('does not wait for a retry-after beyond its longest backoff', async () => {
    const clock = fakeClock();
    const inner = new Scripted('fashn', [{ code: 'ENGINE_RATE_LIMITED', retryAfterMs: 600_000 }]);
    const err = await rejection(new ResilientEngine(inner, { clock, maxBackoffMs: 30_000 }).tryOn(input()));
    assert.equal(err.code, 'ENGINE_RATE_LIMITED');
    assert.deepEqual([inner.calls, clock.slept], [1, []]);
  });

  it('does not retry a typed refusal, a final provider error or a timeout', async () => {
    for (const step of [
      { code: 'NO_PERSON_DETECTED', retryable: false },
      { code: 'ENGINE_QUOTA_EXCEEDED', retryable: false },
      { code: 'ENGINE_TIMEOUT', retryable: true },
    ] as const) {
      const clock = fakeClock();
      const inner = new Scripted('fashn', [step]);
      const err = await rejection(new ResilientEngine(inner, { clock }).tryOn(input()));
      assert.deepEqual([err.code, inner.calls, clock.slept.length], [step.code, 1, 0]);
    }
  });

  it('retries FASHN answering 429 with retry-after, then completes (against the fake)', async () => {
    const key = 'fa-resilience-key-0123456789';
    const fake: FakeFashn = await startFakeFashn({ apiKey: key, pollsBeforeDone: 0 });
    try {
      fake.script.push({ rateLimited: 2 }, { rateLimited: 4 });
      const clock = fakeClock();
      const fashn = new FashnEngine({ apiKey: key, baseUrl: fake.baseUrl, clock });
      const out = await new ResilientEngine(fashn, { clock, backoffMs: 1000 }).tryOn({
        person: readPerson('woman-2.png'),
        product: {
          title: 'Tee',
          description: null,
          images: [{ data: readGarment('upper-4.jpg'), contentHash: 'g', role: null }],
        },
      });
      assert.equal(out.width, 768);
      assert.equal(fake.runs.length, 3, 'two refused submissions, then one accepted');
      assert.deepEqual(clock.slept, [2000, 4000], "FASHN's retry-after (2 s, then 4 s) over the 1 s and 2 s backoff");
    } finally {
      await fake.close();
    }
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive outages, fails fast while open, lets one try-on through after openMs', async () => {
    const clock = fakeClock();
    const inner = new Scripted('oip', down(3));
    const engine = new ResilientEngine(inner, { clock, retries: 0, failures: 3, openMs: 60_000 });
    for (let i = 0; i < 3; i++) await rejection(engine.tryOn(input()));
    assert.equal(engine.breaker.current(), 'open');

    const fast = await rejection(engine.tryOn(input()));
    assert.deepEqual([fast.code, fast.retryable, inner.calls], ['ENGINE_UNAVAILABLE', true, 3], 'not called');
    assert.match(fast.message, /not called for 60 s/);

    clock.advance(59_999);
    await rejection(engine.tryOn(input()));
    assert.equal(inner.calls, 3, 'still open a millisecond before its time');

    clock.advance(1);
    assert.equal(engine.breaker.current(), 'half-open');
    await engine.tryOn(input()); // the trial succeeds
    assert.deepEqual([engine.breaker.current(), inner.calls], ['closed', 4]);
  });

  it('re-opens when the half-open trial fails, and typed refusals do not count as outages', async () => {
    const clock = fakeClock();
    const inner = new Scripted('oip', [...down(2), { code: 'ENGINE_UNAVAILABLE' }]);
    const engine = new ResilientEngine(inner, { clock, retries: 0, failures: 2, openMs: 10_000 });
    await rejection(engine.tryOn(input()));
    await rejection(engine.tryOn(input()));
    clock.advance(10_000);
    await rejection(engine.tryOn(input())); // the trial fails
    assert.equal(engine.breaker.current(), 'open');
    assert.equal(engine.breaker.remainingMs(), 10_000);

    const refusing = new Scripted('oip', [...down(1), { code: 'NO_PERSON_DETECTED', retryable: false }, ...down(1)]);
    const e2 = new ResilientEngine(refusing, { clock, retries: 0, failures: 2 });
    for (let i = 0; i < 3; i++) await rejection(e2.tryOn(input()));
    assert.equal(e2.breaker.current(), 'closed', 'the refusal in between reset the count');
  });
});

describe('engine chain (fallback)', () => {
  const link = (engine: TryOnEngine, more: Partial<ChainLink['capabilities']> = {}): ChainLink => ({
    engine,
    capabilities: { categories: ALL_CATEGORIES, maxSide: null, licence: 'commercial', ...more },
  });

  it('falls back to the next engine when the chosen one is down or rate-limited, and says so', async () => {
    for (const code of [
      'ENGINE_UNAVAILABLE',
      'ENGINE_RATE_LIMITED',
      'ENGINE_TIMEOUT',
      'ENGINE_QUOTA_EXCEEDED',
    ] as const) {
      const skips: string[] = [];
      const chain = new EngineChain([link(new Scripted('fashn', [{ code }])), link(new Scripted('composite'))], {
        allowNonCommercial: false,
        onSkip: (e) => skips.push(`${e.engine}→${e.next}`),
      });
      const out = await chain.tryOn(input());
      assert.equal(chain.name, 'fashn');
      assert.deepEqual(
        [out.diagnostics?.by, out.diagnostics?.engine, out.diagnostics?.fellBackFrom],
        ['composite', 'composite', 'fashn'],
        code,
      );
      assert.deepEqual(skips, ['fashn→composite']);
    }
  });

  it('does not fall back on a typed refusal: the photo is the problem, not the engine', async () => {
    const fallback = new Scripted('composite');
    const chain = new EngineChain(
      [link(new Scripted('fashn', [{ code: 'CONTENT_MODERATED', retryable: false }])), link(fallback)],
      { allowNonCommercial: false },
    );
    assert.equal((await rejection(chain.tryOn(input()))).code, 'CONTENT_MODERATED');
    assert.equal(fallback.calls, 0);
  });

  it("reports the chosen engine's failure when every engine is down", async () => {
    const chain = new EngineChain(
      [link(new Scripted('fashn', down(1, 'ENGINE_RATE_LIMITED'))), link(new Scripted('oip', down(1)))],
      { allowNonCommercial: false },
    );
    assert.equal((await rejection(chain.tryOn(input()))).code, 'ENGINE_RATE_LIMITED');
  });

  it('chooses by capability: the product category by its words, and the licence', async () => {
    const topsOnly = new Scripted('oip');
    const nc = new Scripted('catvton');
    const composite = new Scripted('composite');
    const chain = (allowNonCommercial: boolean) =>
      new EngineChain(
        [link(topsOnly, { categories: ['upper'] }), link(nc, { licence: 'non-commercial' }), link(composite)],
        { allowNonCommercial },
      );
    assert.equal((await chain(false).tryOn(input('Pleated midi skirt'))).diagnostics?.by, 'composite');
    assert.equal((await chain(true).tryOn(input('Pleated midi skirt'))).diagnostics?.by, 'catvton');
    assert.equal((await chain(false).tryOn(input('Linen shirt'))).diagnostics?.by, 'oip');
    assert.equal(topsOnly.calls, 1);

    const only = new EngineChain([link(topsOnly, { categories: ['upper'] })], { allowNonCommercial: false });
    const err = await rejection(only.tryOn(input('Summer dress')));
    assert.equal(err.code, 'UNSUPPORTED_GARMENT');
    assert.match(err.message, /does not dress 'dress' garments/);
  });
});

describe('fake servers', () => {
  let fake: FakeFashn;
  before(async () => {
    fake = await startFakeFashn({ apiKey: 'k' });
  });
  after(() => fake.close());
  it('refuses a request without the key (the adapter tests would pass against a fake that checks nothing)', async () => {
    const res = await fetch(`${fake.baseUrl}/run`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'UnauthorizedAccess');
  });
});

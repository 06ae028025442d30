/** The FASHN adapter against a fake of FASHN's documented API: submit, poll, result; errors, rate limits, timeout. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { EngineError, type TryOnInput } from '../engine.js';
import { fakeClock } from '../testing/fake-clock.js';
import { type FakeFashn, startFakeFashn } from '../testing/fake-fashn.js';
import { readGarment, readPerson } from '../vision/test-fixtures.js';
import { FashnEngine, type FashnEngineOptions } from './fashn-engine.js';

const KEY = 'fa-test-key-0123456789';
const input = (): TryOnInput => ({
  person: readPerson('woman-2.png'),
  product: {
    title: 'Tee',
    description: null,
    images: [{ data: readGarment('upper-4.jpg'), contentHash: 'h', role: null }],
  },
});

const failure = async (p: Promise<unknown>): Promise<EngineError> => {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EngineError, String(err));
    return err;
  }
  assert.fail('expected a failure');
};

describe('FASHN adapter', () => {
  let fake: FakeFashn;
  const engine = (o: Partial<FashnEngineOptions> = {}) =>
    new FashnEngine({ apiKey: KEY, baseUrl: fake.baseUrl, clock: fakeClock(), pollIntervalMs: 1000, ...o });
  before(async () => {
    fake = await startFakeFashn({ apiKey: KEY, pollsBeforeDone: 2 });
  });
  after(() => fake.close());

  it('submits, polls until completed, and answers the result at the person photo size', async () => {
    const clock = fakeClock();
    const polls = fake.statusPolls;
    const out = await engine({ clock, category: 'tops', mode: 'quality' }).tryOn(input());
    const meta = await sharp(out.image).metadata();
    assert.deepEqual([meta.width, meta.height, out.width, out.height], [768, 1024, 768, 1024]);
    assert.equal(out.contentType, 'image/png');
    assert.equal(fake.statusPolls - polls, 3, 'in_queue, processing, completed');
    assert.deepEqual(clock.slept, [1000, 1000], 'the poll interval between polls');
    const run = fake.runs.at(-1)!;
    assert.equal(run.model_name, 'tryon-v1.6');
    assert.equal(run.inputs.category, 'tops');
    assert.equal(run.inputs.mode, 'quality');
    assert.equal(run.inputs.return_base64, true);
    assert.equal(fake.authorizations.at(-1), `Bearer ${KEY}`);
  });

  it('maps runtime errors to typed, final codes with a message for the shopper', async () => {
    for (const [name, code, retryable] of [
      ['ImageLoadError', 'INVALID_IMAGE', false],
      ['NSFWError', 'CONTENT_MODERATED', false],
      ['PoseError', 'NO_PERSON_DETECTED', false],
      ['PhotoTypeError', 'GARMENT_NOT_DETECTED', false],
      ['PipelineError', 'ENGINE_FAILED', true],
    ] as const) {
      fake.script.push({ runtimeError: name });
      const err = await failure(engine().tryOn(input()));
      assert.deepEqual([err.code, err.retryable], [code, retryable], name);
    }
  });

  it('maps API-level errors: rate limits (with retry-after), no credits, a refused key, a server error', async () => {
    fake.script.push({ rateLimited: 3 });
    let err = await failure(engine().tryOn(input()));
    assert.deepEqual([err.code, err.retryable, err.retryAfterMs], ['ENGINE_RATE_LIMITED', true, 3000]);
    fake.script.push('concurrencyLimited');
    err = await failure(engine().tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_RATE_LIMITED', true]);
    fake.script.push('outOfCredits');
    err = await failure(engine().tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_QUOTA_EXCEEDED', false]);
    fake.script.push('serverError');
    err = await failure(engine().tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_UNAVAILABLE', true]);

    err = await failure(engine({ apiKey: 'fa-wrong-key-9876543210' }).tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_AUTH_FAILED', false]);
    assert.ok(!err.message.includes('fa-wrong-key'), 'the key is not in the message');
  });

  it('gives up at its deadline with ENGINE_TIMEOUT (retryable), polling until then', async () => {
    fake.script.push('neverFinishes');
    const clock = fakeClock();
    const err = await failure(engine({ clock, timeoutMs: 10_000, pollIntervalMs: 2000 }).tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_TIMEOUT', true]);
    assert.deepEqual(clock.slept, [2000, 2000, 2000, 2000], 'polled every 2 s, and stopped before the deadline');
  });

  it('answers ENGINE_UNAVAILABLE when FASHN cannot be reached', async () => {
    const err = await failure(engine({ baseUrl: 'http://127.0.0.1:9/v1' }).tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_UNAVAILABLE', true]);
  });
});

/** The queue-style runner (Replicate predictions) against a fake of its documented API. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { EngineError, type TryOnInput } from '../engine.js';
import { fakeClock } from '../testing/fake-clock.js';
import { type FakeReplicate, startFakeReplicate } from '../testing/fake-replicate.js';
import { readGarment, readPerson } from '../vision/test-fixtures.js';
import { ReplicateEngine, type ReplicateEngineOptions } from './replicate-engine.js';

const TOKEN = 'r8_fake_token_0123456789';
const input = (title = 'Summer dress'): TryOnInput => ({
  person: readPerson('woman-1.jpg'),
  product: { title, description: null, images: [{ data: readGarment('dress-1.jpg'), contentHash: 'd', role: null }] },
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

describe('Replicate (queue) adapter', () => {
  let fake: FakeReplicate;
  const engine = (o: Partial<ReplicateEngineOptions> = {}) =>
    new ReplicateEngine({ apiToken: TOKEN, version: 'v-idm', baseUrl: fake.baseUrl, clock: fakeClock(), ...o });
  before(async () => {
    fake = await startFakeReplicate({ apiToken: TOKEN, pollsBeforeDone: 2 });
  });
  after(() => fake.close());

  it("submits with IDM-VTON's input names, polls, fetches the output URL, answers at the person size", async () => {
    const clock = fakeClock();
    const out = await engine({ clock, pollIntervalMs: 500, extraInput: { steps: 30 } }).tryOn(input());
    const [p, r] = await Promise.all([sharp(input().person).metadata(), sharp(out.image).metadata()]);
    assert.deepEqual([r.width, r.height], [p.width, p.height]);
    const sent = fake.inputs.at(-1)!;
    assert.equal(sent.category, 'dresses');
    assert.equal(sent.garment_des, 'Summer dress');
    assert.equal(sent.steps, 30);
    assert.equal(typeof sent.human_img, 'number', 'the person went as a data URL');
    assert.equal(typeof sent.garm_img, 'number');
    assert.deepEqual(clock.slept, [500, 500, 500], 'starting, then processing twice, then succeeded');
  });

  it('maps a failed prediction, 402, 429 and 5xx', async () => {
    fake.script.push('failed');
    let err = await failure(engine({ pollIntervalMs: 10 }).tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_FAILED', false]);
    assert.ok(!err.message.includes('CUDA'), "the model's own error is not shown to the shopper");
    fake.script.push('paymentRequired');
    err = await failure(engine().tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_QUOTA_EXCEEDED', false]);
    fake.script.push({ rateLimited: 9 });
    err = await failure(engine().tryOn(input()));
    assert.deepEqual([err.code, err.retryable, err.retryAfterMs], ['ENGINE_RATE_LIMITED', true, 9000]);
    fake.script.push('serverError');
    err = await failure(engine().tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_UNAVAILABLE', true]);
    err = await failure(engine({ apiToken: 'r8_wrong' }).tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_AUTH_FAILED', false]);
  });

  it('cancels a prediction still running at its deadline, and answers ENGINE_TIMEOUT', async () => {
    fake.script.push('neverFinishes');
    const err = await failure(engine({ timeoutMs: 5000, pollIntervalMs: 1000 }).tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_TIMEOUT', true]);
    assert.equal(fake.cancelled.length, 1, 'the prediction was cancelled');
  });
});

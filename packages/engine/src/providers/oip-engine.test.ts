/** The Open Inference Protocol adapter against a fake KServe/Triton server: tensors, refusals, outages, deadline. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { EngineError, type TryOnInput } from '../engine.js';
import { type FakeOip, startFakeOip } from '../testing/fake-oip.js';
import { readGarment, readPerson } from '../vision/test-fixtures.js';
import { OipEngine, type OipEngineOptions } from './oip-engine.js';

const input = (title = 'Printed cotton T-shirt'): TryOnInput => ({
  person: readPerson('woman-2.png'),
  product: {
    title,
    description: null,
    images: [
      { data: readGarment('upper-4.jpg'), contentHash: 'a', role: 'front' },
      { data: readGarment('upper-3.jpg'), contentHash: 'b', role: 'back' },
    ],
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

describe('Open Inference Protocol adapter', () => {
  let fake: FakeOip;
  const engine = (o: Partial<OipEngineOptions> = {}) => new OipEngine({ baseUrl: fake.url, model: 'catvton', ...o });
  before(async () => {
    fake = await startFakeOip({ model: 'catvton' });
  });
  after(() => fake.close());

  it('sends the images as base64 BYTES tensors and answers the result tensor at the person size', async () => {
    const out = await engine({ maxSide: 512 }).tryOn(input());
    const meta = await sharp(out.image).metadata();
    assert.deepEqual([meta.width, meta.height], [768, 1024], 'scaled back from the 512 px sent');
    const req = fake.requests.at(-1)!;
    assert.deepEqual(req.inputs, [
      { name: 'person', shape: [1], datatype: 'BYTES' },
      { name: 'garment', shape: [2], datatype: 'BYTES' },
    ]);
    assert.deepEqual(req.parameters, { category: 'upper', title: 'Printed cotton T-shirt', checks: 'strict' });
  });

  it("takes a model's typed refusal as the generation's code; another 400 is ENGINE_FAILED", async () => {
    fake.script.push({ refuse: 'NO_PERSON_DETECTED' });
    let err = await failure(engine().tryOn(input()));
    assert.deepEqual(
      [err.code, err.retryable, err.message],
      ['NO_PERSON_DETECTED', false, 'refused by the fake model'],
    );
    fake.script.push({ refuse: 'SOMETHING_ELSE' });
    err = await failure(engine().tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_FAILED', false]);
  });

  it('answers ENGINE_UNAVAILABLE on 503, ENGINE_RATE_LIMITED on 429 (with retry-after), both retryable', async () => {
    fake.script.push('unavailable');
    let err = await failure(engine().tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_UNAVAILABLE', true]);
    fake.script.push({ rateLimited: 7 });
    err = await failure(engine().tryOn(input()));
    assert.deepEqual([err.code, err.retryable, err.retryAfterMs], ['ENGINE_RATE_LIMITED', true, 7000]);
  });

  it('gives up at its deadline with ENGINE_TIMEOUT when the server does not answer', async () => {
    fake.script.push('hang');
    const err = await failure(engine({ timeoutMs: 300 }).tryOn(input()));
    assert.deepEqual([err.code, err.retryable], ['ENGINE_TIMEOUT', true]);
  });

  it('sends the bearer token only when configured', async () => {
    let seen: string | null = 'unset';
    const spy: typeof fetch = async (url, init) => {
      seen = new Headers(init?.headers).get('authorization');
      return fetch(url, init);
    };
    await engine({ fetch: spy, token: 'tok-123' }).tryOn(input());
    assert.equal(seen, 'Bearer tok-123');
    await engine({ fetch: spy }).tryOn(input());
    assert.equal(seen, null);
  });
});

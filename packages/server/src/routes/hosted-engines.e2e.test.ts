/**
 * The hosted engines through the API, each against a local fake of its provider's documented API: FASHN (the
 * deployment's ENGINE), a model behind the Open Inference Protocol and Replicate's queue (chosen per account through
 * the admin API, or per category by ENGINE_BY_CATEGORY). A try-on completes; a provider failure ends the generation
 * FAILED with a typed errorCode and the credit refunded; a rate limit is retried after its backoff; a down or slow
 * engine hands over to the fallback; the circuit opens and closes again; the provider keys never reach the log.
 * (Without VISION there is no identity pass here: identity-pass.e2e.test.ts has it.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  type FakeFashn,
  type FakeOip,
  type FakeReplicate,
  startFakeFashn,
  startFakeOip,
  startFakeReplicate,
} from '@fitroom/engine/testing';
import sharp from 'sharp';
import type { LogOutput } from '../logging.js';
import { adminClient } from '../testing/admin-client.js';
import { readFixture } from '../testing/fixtures.js';
import { createTestContext, fetchSigned, postTryOn, type TestContext, uploadPhoto } from '../testing/test-server.js';

const FASHN_KEY = 'fa-e2e-secret-key-0123456789abcdef';
const REPLICATE_TOKEN = 'r8_e2e_secret_token_0123456789abcdef';
const OIP_TOKEN = 'oip-e2e-secret-token-0123456789';

type LogLine = Record<string, unknown>;
function capturedLog(): LogOutput & { lines: string[] } {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) }, flush: async () => {} };
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, asserted field by field
type Json = any;

async function tryOn(ctx: TestContext, apiKey: string, imageId: string, title = 'Printed cotton T-shirt') {
  const res = await postTryOn(
    ctx,
    {
      products: [{ externalId: `p-${title}`, title, images: [{ source: { fileKey: 'g' } }] }],
      person: { image: { source: { id: imageId } } },
    },
    { g: { filename: 'g.jpg', contentType: 'image/jpeg', data: readFixture('garment', 'upper-4.jpg') } },
    { sync: true, apiKey },
  );
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Json;
}

async function credits(ctx: TestContext, apiKey: string): Promise<number> {
  const res = await ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': apiKey } });
  return (res.json() as { creditBalance: number }).creditBalance;
}

describe('hosted engines through the API', () => {
  let ctx: TestContext;
  let fashn: FakeFashn;
  let oip: FakeOip;
  let replicate: FakeReplicate;
  let imageId: string;
  let person: Buffer;
  const log = capturedLog();

  before(async () => {
    fashn = await startFakeFashn({ apiKey: FASHN_KEY, pollsBeforeDone: 0 });
    oip = await startFakeOip({ model: 'catvton' });
    replicate = await startFakeReplicate({ apiToken: REPLICATE_TOKEN, pollsBeforeDone: 0 });
    ctx = await createTestContext({
      logOutput: log,
      env: {
        LOG_LEVEL: 'debug',
        ENGINE: 'fashn',
        FASHN_API_KEY: FASHN_KEY,
        FASHN_BASE_URL: fashn.baseUrl,
        FASHN_MODE: 'performance',
        OIP_URL: oip.url,
        OIP_MODEL: 'catvton',
        OIP_TOKEN,
        OIP_LICENCE: 'commercial',
        REPLICATE_API_TOKEN: REPLICATE_TOKEN,
        REPLICATE_BASE_URL: replicate.baseUrl,
        REPLICATE_MODEL_VERSION: 'c871bb9b046607b680449ecbae55fd8c6d945e0a1948644bf2361b3d021d3ff4',
        REPLICATE_LICENCE: 'non-commercial',
        ENGINE_NONCOMMERCIAL: 'allow',
        ENGINE_BY_CATEGORY: 'dress=replicate',
        ENGINE_RETRIES: '2',
        ENGINE_BACKOFF_MS: '1',
        SYNC_TIMEOUT_S: '60',
      },
    });
    const upload = await uploadPhoto(ctx, readFixture('person', 'woman-2.png'));
    imageId = upload.body.imageId;
    const row = await ctx.deps.images.find(ctx.deps.db, ctx.accountId, imageId);
    person = Buffer.from((await ctx.deps.blobs.get(row!.blob_key))!.data);
  });
  after(async () => {
    await ctx.close();
    await Promise.all([fashn.close(), oip.close(), replicate.close()]);
  });

  test('FASHN: the try-on completes with its result at the person photo size', async () => {
    const gen = await tryOn(ctx, ctx.apiKey, imageId);
    assert.equal(gen.status, 'COMPLETED', JSON.stringify(gen));
    const result = (await fetchSigned(ctx, gen.resultImageUrl)).rawPayload;
    const [p, r] = await Promise.all([sharp(person).metadata(), sharp(result).metadata()]);
    assert.deepEqual([r.width, r.height], [p.width, p.height], 'scaled back from FASHN’s 864×1296');
    const run = fashn.runs.at(-1)!;
    assert.deepEqual([run.inputs.mode, run.inputs.category], ['performance', 'auto']);
  });

  test('FASHN: a provider failure ends the generation FAILED with a typed errorCode, refunded', async () => {
    for (const [outcome, code] of [
      ['outOfCredits', 'ENGINE_QUOTA_EXCEEDED'],
      [{ runtimeError: 'ImageLoadError' }, 'INVALID_IMAGE'],
      [{ runtimeError: 'NSFWError' }, 'CONTENT_MODERATED'],
    ] as const) {
      const before = await credits(ctx, ctx.apiKey);
      fashn.script.push(outcome);
      const gen = await tryOn(ctx, ctx.apiKey, imageId);
      assert.deepEqual([gen.status, gen.errorCode], ['FAILED', code], JSON.stringify(gen));
      assert.ok(gen.errorMessage, 'a message for the shopper');
      assert.equal(await credits(ctx, ctx.apiKey), before, `${code}: the credit was refunded`);
    }
  });

  test('FASHN: rate-limited twice, retried after the backoff, then completed and charged once', async () => {
    const before = await credits(ctx, ctx.apiKey);
    const runs = fashn.runs.length;
    fashn.script.push({ rateLimited: 0 }, 'concurrencyLimited');
    const gen = await tryOn(ctx, ctx.apiKey, imageId);
    assert.equal(gen.status, 'COMPLETED', JSON.stringify(gen));
    assert.equal(fashn.runs.length - runs, 3, 'two refused submissions, then the accepted one');
    assert.equal(await credits(ctx, ctx.apiKey), before - 1);
  });

  test('the admin API lists the hosted engines with their capabilities, and sets them per account', async () => {
    const admin = adminClient(ctx);
    const engines = await admin.json<{ data: Json[] }>('GET', '/admin/v1/engines');
    const every = ['upper', 'lower', 'dress'];
    assert.deepEqual(engines.data, [
      { name: 'composite', default: false, hosted: false, categories: every, maxSide: null, licence: 'commercial' },
      { name: 'mock', default: false, hosted: false, categories: every, maxSide: null, licence: 'commercial' },
      { name: 'fashn', default: true, hosted: true, categories: every, maxSide: 2000, licence: 'commercial' },
      { name: 'oip', default: false, hosted: true, categories: every, maxSide: 1024, licence: 'commercial' },
      { name: 'replicate', default: false, hosted: true, categories: every, maxSide: 1024, licence: 'non-commercial' },
    ]);
    const account = await ctx.newAccount(1);
    const changed = await admin.json<Json>('PATCH', `/admin/v1/accounts/${account.id}`, {
      engine: 'replicate',
      identityPass: false,
    });
    assert.deepEqual([changed.engine, changed.identityPass], ['replicate', false]);
    assert.equal((await ctx.deps.accounts.get(account.id))?.identity_pass, 'off');
    const reset = await admin.json<Json>('PATCH', `/admin/v1/accounts/${account.id}`, { identityPass: null });
    assert.deepEqual([reset.engine, reset.identityPass], ['replicate', null]);
    // No EXTERNAL_ENGINE_URL here: refused with what it lacks, and nothing changed.
    const refused = await admin.call('PATCH', `/admin/v1/accounts/${account.id}`, { engine: 'external' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().message, /needs EXTERNAL_ENGINE_URL/);
    assert.equal((await ctx.deps.accounts.get(account.id))?.engine, 'replicate');
  });

  test('per category: a dress goes to Replicate (ENGINE_BY_CATEGORY), a T-shirt stays on FASHN (ENGINE)', async () => {
    const [runs, predictions] = [fashn.runs.length, replicate.inputs.length];
    const dress = await tryOn(ctx, ctx.apiKey, imageId, 'Linen summer dress');
    assert.equal(dress.status, 'COMPLETED', JSON.stringify(dress));
    assert.deepEqual([fashn.runs.length - runs, replicate.inputs.length - predictions], [0, 1]);
    assert.equal(replicate.inputs.at(-1)?.category, 'dresses');
    const tee = await tryOn(ctx, ctx.apiKey, imageId, 'Printed cotton T-shirt');
    assert.equal(tee.status, 'COMPLETED', JSON.stringify(tee));
    assert.deepEqual([fashn.runs.length - runs, replicate.inputs.length - predictions], [1, 1]);
  });

  test('per account: a model behind the Open Inference Protocol, and Replicate', async () => {
    const account = await ctx.newAccount(10);
    const photo = (await uploadPhoto(ctx, readFixture('person', 'woman-2.png'), {}, account.apiKey)).body.imageId;
    const admin = adminClient(ctx);
    const setEngine = (engine: string) => admin.json('PATCH', `/admin/v1/accounts/${account.id}`, { engine });

    await setEngine('oip');
    let gen = await tryOn(ctx, account.apiKey, photo);
    assert.equal(gen.status, 'COMPLETED', JSON.stringify(gen));
    assert.equal(oip.requests.at(-1)?.parameters.category, 'upper');
    oip.script.push({ refuse: 'NO_PERSON_DETECTED' });
    gen = await tryOn(ctx, account.apiKey, photo);
    assert.deepEqual([gen.status, gen.errorCode], ['FAILED', 'NO_PERSON_DETECTED']);

    await setEngine('replicate');
    gen = await tryOn(ctx, account.apiKey, photo, 'Summer dress');
    assert.equal(gen.status, 'COMPLETED', JSON.stringify(gen));
    assert.equal(replicate.inputs.at(-1)?.category, 'dresses');
    replicate.script.push('paymentRequired');
    gen = await tryOn(ctx, account.apiKey, photo);
    assert.deepEqual([gen.status, gen.errorCode], ['FAILED', 'ENGINE_QUOTA_EXCEEDED']);
    assert.equal(await credits(ctx, account.apiKey), 10 - 2, 'two completed, two refunded');
  });

  test('the provider keys never reach the log or the printed configuration', async () => {
    // Completed and failed try-ons are logged by now; one more whose every attempt FASHN answers 500.
    fashn.script.push('serverError', 'serverError', 'serverError');
    await tryOn(ctx, ctx.apiKey, imageId);
    await log.flush();
    assert.ok(log.lines.length > 5, 'the server logged (debug)');
    const text = log.lines.join('\n');
    for (const secret of [FASHN_KEY, REPLICATE_TOKEN, OIP_TOKEN]) {
      assert.ok(!text.includes(secret), 'a key in the log');
      assert.ok(!inspect(ctx.config, { depth: 10 }).includes(secret), 'a key in the printed config');
      assert.ok(!JSON.stringify(ctx.config).includes(secret), 'a key in the config as JSON');
    }
    // The failure itself was logged, with the provider and its status: the grep above looked at the right lines.
    const failed = log.lines
      .map((l) => JSON.parse(l) as LogLine)
      .filter((l) => l.msg === 'try-on attempt failed' && JSON.stringify(l.err).includes('FASHN answered HTTP 500'));
    assert.ok(failed.length > 0, 'the outage was logged');
  });
});

describe('fallback to the next engine', () => {
  let ctx: TestContext;
  let fashn: FakeFashn;
  let imageId: string;

  before(async () => {
    fashn = await startFakeFashn({ apiKey: FASHN_KEY, pollsBeforeDone: 0 });
    ctx = await createTestContext({
      env: {
        ENGINE: 'fashn',
        FASHN_API_KEY: FASHN_KEY,
        FASHN_BASE_URL: fashn.baseUrl,
        ENGINE_FALLBACK: 'mock',
        ENGINE_RETRIES: '0',
        ENGINE_CIRCUIT_FAILURES: '2',
        ENGINE_CIRCUIT_OPEN_S: '1',
        ENGINE_TIMEOUT_S: '2',
        SYNC_TIMEOUT_S: '60',
      },
    });
    imageId = (await uploadPhoto(ctx, readFixture('person', 'woman-2.png'))).body.imageId;
  });
  after(async () => {
    await ctx.close();
    await fashn.close();
  });

  test('FASHN down or out of credits: the fallback engine draws the try-on, charged once', async () => {
    for (const outcome of ['serverError', 'outOfCredits'] as const) {
      const before = await credits(ctx, ctx.apiKey);
      fashn.script.push(outcome);
      const gen = await tryOn(ctx, ctx.apiKey, imageId);
      assert.equal(gen.status, 'COMPLETED', JSON.stringify(gen));
      const row = await ctx.deps.images.find(ctx.deps.db, ctx.accountId, imageId);
      const person = (await ctx.deps.blobs.get(row!.blob_key))!.data;
      const result = (await fetchSigned(ctx, gen.resultImageUrl)).rawPayload;
      assert.ok(result.equals(Buffer.from(person)), 'the mock engine (the fallback) drew it: the person photo');
      assert.equal(await credits(ctx, ctx.apiKey), before - 1);
    }
  });

  test('with its circuit open, FASHN is not called at all: the fallback takes the try-on at once', async () => {
    // The two failures above opened FASHN's circuit (ENGINE_CIRCUIT_FAILURES=2): the next try-on skips it.
    const runs = fashn.runs.length;
    const gen = await tryOn(ctx, ctx.apiKey, imageId);
    assert.equal(gen.status, 'COMPLETED');
    assert.equal(fashn.runs.length, runs, 'FASHN was not called');
  });

  test('after ENGINE_CIRCUIT_OPEN_S one try-on goes to FASHN again; its success closes the circuit', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const runs = fashn.runs.length;
    for (const n of [1, 2]) {
      const gen = await tryOn(ctx, ctx.apiKey, imageId);
      assert.equal(gen.status, 'COMPLETED');
      assert.equal(fashn.runs.length - runs, n, `try-on ${n} went to FASHN`);
    }
  });

  test('FASHN too slow (ENGINE_TIMEOUT_S): the fallback draws the try-on', async () => {
    const [runs, polls, before] = [fashn.runs.length, fashn.statusPolls, await credits(ctx, ctx.apiKey)];
    fashn.script.push('neverFinishes');
    const started = Date.now();
    const gen = await tryOn(ctx, ctx.apiKey, imageId);
    assert.equal(gen.status, 'COMPLETED', JSON.stringify(gen));
    assert.equal(fashn.runs.length - runs, 1, 'FASHN took it, and never finished');
    // FASHN is polled every 1.5 s and given up when the next poll would pass the 2 s deadline.
    assert.ok(fashn.statusPolls - polls >= 2, 'FASHN was polled until its deadline');
    assert.ok(Date.now() - started >= 1500, 'the fallback took over at the deadline, not before');
    assert.equal(await credits(ctx, ctx.apiKey), before - 1);
  });
});

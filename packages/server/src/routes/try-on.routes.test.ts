import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EngineError, type TryOnEngine, type TryOnInput } from '@fitroom/engine';
import sharp from 'sharp';
import { ManualClock } from '../ports/clock.js';
import { readFixture } from '../testing/fixtures.js';
import { type ImageServer, startImageServer } from '../testing/image-server.js';
import {
  createTestContext,
  fetchSigned,
  postTryOn,
  type TestContext,
  testS3Enabled,
  uploadPhoto,
} from '../testing/test-server.js';

const personPhoto = readFixture('person', 'woman-2.png');
const garmentPhoto = readFixture('garment', 'upper-1.jpg');

/** Engines with scripted behaviour, to drive every terminal state. */
class ScriptedEngine implements TryOnEngine {
  calls = 0;
  constructor(
    readonly name: string,
    private readonly behave: (input: TryOnInput, call: number) => Promise<Uint8Array>,
  ) {}
  async tryOn(input: TryOnInput) {
    this.calls++;
    const image = await this.behave(input, this.calls);
    return { image, contentType: 'image/jpeg' as const, width: 0, height: 0 };
  }
  async close() {}
}

describe('try-on flow (embedded deployment, real queue and workers)', () => {
  let ctx: TestContext;
  /** Whether the server's blob store holds `key` (local disk or bucket alike). */
  const hasBlob = async (key: string) => (await ctx.deps.blobs.get(key)) !== null;
  let images: ImageServer;
  let clock: ManualClock;
  let call: (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: unknown,
    key?: string,
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers, asserted field by field
  ) => Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  let imageId: string;
  const failing = new ScriptedEngine('always-invalid', async () => {
    throw new EngineError('NO_PERSON_DETECTED', 'No person in the photo.');
  });
  const flaky = new ScriptedEngine('flaky', async (input, n) => {
    if (n === 1) throw new Error('transient crash');
    return input.person;
  });

  /** Waits for the generation to finish; its whole row (blob keys included). */
  const waitDone = async (id: string) => {
    await ctx.deps.generations.waitForTerminal(id, 20_000);
    return (await ctx.deps.generations.find(id))!;
  };
  const balance = () => ctx.deps.credits.balance(ctx.accountId);

  before(async () => {
    clock = new ManualClock('2026-05-13T10:00:00.000Z');
    ctx = await createTestContext({
      clock,
      // The clock is set in May 2026: a bucket judges presigned URLs by real time and would call them expired, so the
      // blobs stay on local disk in the scale-out pass (the S3 store's own tests cover its URLs).
      localBlobs: true,
      credits: 100,
      env: { ALLOW_PRIVATE_FETCH: 'true', WORKER_CONCURRENCY: '2' },
      extraEngines: new Map([
        ['always-invalid', failing],
        ['flaky', flaky],
      ]),
    });
    images = await startImageServer({
      '/garment.jpg': { data: garmentPhoto },
      '/person.png': { data: personPhoto, contentType: 'image/png' },
    });
    call = async (method, url, body, key = ctx.apiKey) => {
      const res = await ctx.app.inject({
        method,
        url: `/tryon/v1${url}`,
        headers: { 'x-api-key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      return { status: res.statusCode, body: res.body ? res.json() : null, headers: res.headers };
    };
    imageId = (await uploadPhoto(ctx, personPhoto, { externalUserId: 'u1' })).body.imageId;
  });
  after(async () => {
    await images.close();
    await ctx.close();
  });

  const inline = (externalId: string | undefined, title = 'mock') => ({
    ...(externalId ? { externalId } : {}),
    title,
    description: 'Soft cotton',
    images: [{ source: { url: images.url('/garment.jpg') } }],
  });

  test('reference to an unknown product → 404 PRODUCT_NOT_FOUND, no credit charged, nothing written', async () => {
    const before = await balance();
    const gens = (await ctx.deps.db.selectFrom('generations').select('id').execute()).length;
    const res = await call('POST', '/try-on', {
      products: [{ externalId: 'shirt-42' }],
      person: { image: { source: { id: imageId } } },
    });
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { code: 'PRODUCT_NOT_FOUND', message: "Product 'shirt-42' not found.", status: 404 });
    assert.equal(await balance(), before);
    assert.equal((await ctx.deps.db.selectFrom('generations').select('id').execute()).length, gens);
  });

  test('inline upsert → PENDING, 1 credit, 15-day TTL; the mock result is the person photo; signed URL serves it', async () => {
    const before = await balance();
    const res = await call('POST', '/try-on', {
      products: [inline('shirt-42')],
      person: { image: { source: { id: imageId } } },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['generationId', 'productExternalId', 'status']);
    assert.equal(res.body.status, 'PENDING');
    assert.equal(res.body.productExternalId, 'shirt-42');
    assert.match(res.body.generationId, /^gen_[0-9a-z]{20}$/);
    assert.equal(await balance(), before - 1);

    const product = await call('GET', '/products/shirt-42');
    assert.equal(product.body.validForDays, 15);
    assert.equal(product.body.lastUsedAt, '2026-05-13T10:00:00.000Z');
    assert.equal(product.body.expiresAt, '2026-05-28T10:00:00.000Z');

    await waitDone(res.body.generationId);
    const gen = await call('GET', `/generations/${res.body.generationId}`);
    assert.equal(gen.body.status, 'COMPLETED');
    assert.ok(gen.body.updatedAt >= gen.body.createdAt);
    const result = await fetchSigned(ctx, gen.body.resultImageUrl);
    assert.equal(result.statusCode, 200);
    const upload = await ctx.deps.images.find(ctx.deps.db, ctx.accountId, imageId);
    const stored = await ctx.deps.blobs.get(upload!.blob_key);
    assert.ok(result.rawPayload.equals(stored!.data), 'mock engine returns the person photo unchanged');
    if (!testS3Enabled()) {
      // A tampered signature is refused (by the files route; s3rver checks no signatures, see s3-server.ts).
      const url = new URL(gen.body.resultImageUrl);
      const tampered = await ctx.app.inject({ url: `${url.pathname}?exp=${url.searchParams.get('exp')}&sig=AAAA` });
      assert.equal(tampered.statusCode, 403);
    }
  });

  test('reference after the inline upsert succeeds and refreshes lastUsedAt', async () => {
    clock.advanceDays(1);
    const res = await call('POST', '/try-on', {
      products: [{ externalId: 'shirt-42' }],
      person: { image: { source: { id: imageId } } },
    });
    assert.equal(res.status, 200);
    const product = await call('GET', '/products/shirt-42');
    assert.equal(product.body.lastUsedAt, '2026-05-14T10:00:00.000Z');
    assert.equal(product.body.expiresAt, '2026-05-29T10:00:00.000Z');
    await waitDone(res.body.generationId);
  });

  test('one-shot → server-generated _anon_ id, fetchable, not listed, 7-day TTL', async () => {
    const res = await call('POST', '/try-on', {
      products: [inline(undefined)],
      person: { image: { source: { id: imageId } } },
    });
    assert.equal(res.status, 200);
    assert.match(res.body.productExternalId, /^_anon_[0-9a-z]{20}$/);
    const product = await call('GET', `/products/${res.body.productExternalId}`);
    assert.equal(product.status, 200);
    assert.equal(product.body.validForDays, 7);
    const list = await call('GET', '/products?limit=200');
    assert.ok(!list.body.items.some((p: { externalId: string }) => p.externalId.startsWith('_anon_')));
    await waitDone(res.body.generationId);
  });

  test('validation errors of the contract, none of which charges a credit', async () => {
    const before = await balance();
    const person = { image: { source: { id: imageId } } };
    const cases: Array<[unknown, string]> = [
      [{ products: [], person }, 'VALIDATION_FAILED'],
      [{ products: [inline('a'), inline('b')], person }, 'VALIDATION_FAILED'],
      [
        { products: [inline('a')], person: { image: { source: { id: imageId, url: images.url('/person.png') } } } },
        'VALIDATION_FAILED',
      ],
      [{ products: [inline('a')] }, 'CUSTOMER_IMAGE_REQUIRED'],
      [{ products: [inline('a')], person: { image: { source: {} } } }, 'CUSTOMER_IMAGE_REQUIRED'],
      [{ products: [{ externalId: 'new', title: 't', images: [] }], person }, 'PRODUCT_IMAGES_REQUIRED'],
      [{ products: [{ title: 'one-shot without images' }], person }, 'PRODUCT_IMAGES_REQUIRED'],
      [{ products: [{ externalId: 'x', images: [{ source: {} }] }], person }, 'INVALID_IMAGE_INPUT'],
      [{ products: [{ externalId: 'x', images: [{}] }], person }, 'INVALID_IMAGE_INPUT'],
      [
        { products: [inline('a')], person: { image: { source: { url: 'http://127.0.0.1:1/nope.jpg' } } } },
        'CUSTOMER_IMAGE_FETCH_FAILED',
      ],
      [{ products: [inline('a')], person: { image: { source: { id: 'img_doesnotexist' } } } }, 'VALIDATION_FAILED'],
      [{ products: [inline('a')], person, output: { keepForDays: 5 } }, 'VALIDATION_FAILED'],
      [{ productId: 'p', customerImageId: imageId }, 'VALIDATION_FAILED'],
    ];
    for (const [body, code] of cases) {
      const res = await call('POST', '/try-on', body);
      assert.equal(res.body.code, code, JSON.stringify(body));
      assert.equal(res.status, res.body.status);
    }
    const both = await call('POST', '/try-on', cases[2]![0]);
    assert.equal(both.body.details[0].path, 'person.image.source');
    // Error details name the field inside the product, for `images` and the alpha `imageUrls` alike.
    const badUrls = { externalId: 'x', images: [{ source: { url: 'ftp://x/a.jpg' } }], imageUrls: ['ftp://x/b.jpg'] };
    const badImage = await call('POST', '/try-on', { products: [badUrls], person });
    assert.deepEqual(badImage.body.details, [{ path: 'products.0.images.0.source.url', message: 'Invalid url' }]);
    const badAlpha = await call('POST', '/try-on', { products: [{ ...badUrls, images: undefined }], person });
    assert.deepEqual(badAlpha.body.details, [{ path: 'products.0.imageUrls.0', message: 'Invalid url' }]);
    assert.equal(await balance(), before);
    assert.equal((await call('GET', '/products/a')).status, 404, 'a rejected inline upsert created no product');
  });

  test('person by URL and by multipart fileKey (cropped and stored like uploads); a missing part → MULTIPART_FILE_NOT_FOUND', async () => {
    const byUrl = await call('POST', '/try-on', {
      products: [{ externalId: 'shirt-42' }],
      person: { image: { source: { url: images.url('/person.png') } } },
    });
    assert.equal(byUrl.status, 200);
    await waitDone(byUrl.body.generationId);

    const byFile = { products: [{ externalId: 'shirt-42' }], person: { image: { source: { fileKey: 'me' } } } };
    const res = await postTryOn(ctx, byFile, {
      me: { filename: 'me.png', contentType: 'image/png', data: personPhoto },
    });
    assert.equal(res.statusCode, 200, res.body);
    const done = await waitDone(res.json().generationId);
    assert.equal(done.status, 'COMPLETED');

    const res2 = await postTryOn(ctx, byFile);
    assert.equal(res2.json().code, 'MULTIPART_FILE_NOT_FOUND');
  });

  test('deprecated shapes: product + customer {id}, customer {source:{url}}, customerId, useWatermark, retentionDays, flat images', async () => {
    const legacy = await call('POST', '/try-on', { product: { externalId: 'shirt-42' }, customer: { id: imageId } });
    assert.equal(legacy.status, 200);
    assert.equal(legacy.body.productExternalId, 'shirt-42');

    const full = await call('POST', '/try-on', {
      product: { externalId: 'legacy-1', title: 'mock', images: [{ url: images.url('/garment.jpg') }] },
      customer: { source: { url: images.url('/person.png') } },
      customerId: 'legacy-user',
      useWatermark: false,
      retentionDays: 1,
    });
    assert.equal(full.status, 200);
    const row = await ctx.deps.generations.find(full.body.generationId);
    assert.equal(row?.external_user_id, 'legacy-user');
    assert.equal(row?.watermark, 0);
    assert.equal(row?.keep_for_days, 1);
    await waitDone(legacy.body.generationId);
    await waitDone(full.body.generationId);
  });

  test('an unreachable inline product image: accepted, then FAILED PRODUCT_IMAGE_FETCH_FAILED and refunded', async () => {
    const before = await balance();
    const res = await call('POST', '/try-on', {
      products: [{ externalId: 'cdn-down', title: 'mock', images: [{ source: { url: images.url('/missing.jpg') } }] }],
      person: { image: { source: { id: imageId } } },
    });
    assert.equal(res.status, 200);
    const done = await waitDone(res.body.generationId);
    assert.equal(done.status, 'FAILED');
    const gen = await call('GET', `/generations/${res.body.generationId}`);
    assert.equal(gen.body.errorCode, 'PRODUCT_IMAGE_FETCH_FAILED');
    assert.equal(typeof gen.body.errorMessage, 'string');
    assert.equal(gen.body.resultImageUrl, undefined);
    assert.equal(await balance(), before, 'the failed generation was refunded');
  });

  test('an engine failure is typed and refunded; a transient crash is retried and completes, charged once', async () => {
    await ctx.deps.accounts.update(ctx.accountId, { engine: 'always-invalid' });
    try {
      const before = await balance();
      const res = await call('POST', '/try-on', {
        products: [inline('real-1', 'Blue shirt')],
        person: { image: { source: { id: imageId } } },
      });
      const done = await waitDone(res.body.generationId);
      assert.equal(done.status, 'FAILED');
      assert.equal(done.error_code, 'NO_PERSON_DETECTED');
      assert.equal(await balance(), before);

      await ctx.deps.accounts.update(ctx.accountId, { engine: 'flaky' });
      const res2 = await call('POST', '/try-on', {
        products: [{ externalId: 'real-1' }],
        person: { image: { source: { id: imageId } } },
      });
      // The retry is scheduled 2 s later on the real clock of the queue's run_at: move the manual clock past it.
      for (let i = 0; i < 50 && flaky.calls < 1; i++) await new Promise((r) => setTimeout(r, 20));
      clock.advance(5_000);
      await ctx.deps.queue.enqueue('noop', {}); // wake the idle workers
      const done2 = await waitDone(res2.body.generationId);
      assert.equal(done2.status, 'COMPLETED');
      assert.equal(flaky.calls, 2);
      assert.equal(await balance(), before - 1);
      const ledger = await ctx.deps.db
        .selectFrom('credit_ledger')
        .selectAll()
        .where('generation_id', '=', res2.body.generationId)
        .execute();
      assert.deepEqual(
        ledger.map((l) => l.reason),
        ['generation_debit'],
      );
    } finally {
      await ctx.deps.accounts.update(ctx.accountId, { engine: null });
    }
  });

  test('GET /generations: unknown → 404 GENERATION_NOT_FOUND; another account’s → 403 FORBIDDEN', async () => {
    const res = await call('POST', '/try-on', {
      products: [{ externalId: 'shirt-42' }],
      person: { image: { source: { id: imageId } } },
    });
    const other = await ctx.newAccount();
    assert.equal((await call('GET', '/generations/doesnotexist')).body.code, 'GENERATION_NOT_FOUND');
    const forbidden = await call('GET', `/generations/${res.body.generationId}`, undefined, other.apiKey);
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.code, 'FORBIDDEN');
    // Another account cannot use our uploaded image or our product either.
    const theirs = await call(
      'POST',
      '/try-on',
      { products: [{ externalId: 'shirt-42' }], person: { image: { source: { id: imageId } } } },
      other.apiKey,
    );
    assert.equal(theirs.status, 400);
    await waitDone(res.body.generationId);
  });

  test('idempotency-key: a retried request returns the first generation and is charged once, even concurrently', async () => {
    const before = await balance();
    const body = JSON.stringify({
      products: [{ externalId: 'shirt-42' }],
      person: { image: { source: { id: imageId } } },
    });
    const send = (key: string, payload = body) =>
      ctx.app.inject({
        method: 'POST',
        url: '/tryon/v1/try-on',
        headers: { 'x-api-key': ctx.apiKey, 'content-type': 'application/json', 'idempotency-key': key },
        payload,
      });
    const results = await Promise.all(Array.from({ length: 8 }, () => send('retry-1')));
    const ids = new Set(results.map((r) => r.json().generationId));
    assert.deepEqual(
      results.map((r) => r.statusCode),
      Array(8).fill(200),
    );
    assert.equal(ids.size, 1, 'every attempt got the same generation');
    assert.equal(await balance(), before - 1);
    const later = await send('retry-1');
    assert.equal(later.json().generationId, [...ids][0]);
    // The same key with another request is refused; a malformed key too.
    const other = await send(
      'retry-1',
      JSON.stringify({
        products: [{ externalId: 'shirt-42' }],
        person: { image: { source: { id: imageId } } },
        externalUserId: 'x',
      }),
    );
    assert.equal(other.statusCode, 400);
    assert.equal(other.json().details[0].path, 'idempotency-key');
    assert.equal((await send('bad key with spaces')).statusCode, 400);
    // Another account may use the same key string independently.
    const acct = await ctx.newAccount(5);
    const theirs = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/try-on',
      headers: { 'x-api-key': acct.apiKey, 'content-type': 'application/json', 'idempotency-key': 'retry-1' },
      payload: JSON.stringify({
        products: [inline('k')],
        person: { image: { source: { url: images.url('/person.png') } } },
      }),
    });
    assert.equal(theirs.statusCode, 200);
    assert.notEqual(theirs.json().generationId, [...ids][0]);
    await waitDone([...ids][0]!);
    await waitDone(theirs.json().generationId);
  });

  test('402 INSUFFICIENT_CREDITS with an empty balance', async () => {
    const poor = await ctx.newAccount(0);
    const res = await call(
      'POST',
      '/try-on',
      { products: [inline('x')], person: { image: { source: { url: images.url('/person.png') } } } },
      poor.apiKey,
    );
    assert.equal(res.status, 402);
    assert.equal(res.body.code, 'INSUFFICIENT_CREDITS');
    assert.deepEqual((await call('GET', '/account/credits', undefined, poor.apiKey)).body, { creditBalance: 0 });
  });

  test('100 concurrent try-ons on a 40-credit account are accepted exactly 40 times; the rest leave nothing behind', async () => {
    const acct = await ctx.newAccount(40);
    const id = (await uploadPhoto(ctx, personPhoto, {}, acct.apiKey)).body.imageId;
    await call(
      'POST',
      '/products',
      { externalId: 'bulk', title: 'mock', images: [{ url: images.url('/garment.jpg') }] },
      acct.apiKey,
    );
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        ctx.app.inject({
          method: 'POST',
          url: '/tryon/v1/try-on',
          headers: { 'x-api-key': acct.apiKey, 'content-type': 'application/json', 'x-forwarded-for': '10.0.0.1' },
          payload: JSON.stringify({ products: [{ externalId: 'bulk' }], person: { image: { source: { id } } } }),
        }),
      ),
    );
    const codes = results.map((r) => r.statusCode);
    assert.equal(codes.filter((c) => c === 200).length, 40);
    assert.ok(
      codes.every((c) => c === 200 || c === 402 || c === 429),
      String(codes),
    );
    const gens = await ctx.deps.db.selectFrom('generations').select('id').where('account_id', '=', acct.id).execute();
    assert.equal(gens.length, 40);
    assert.equal(await ctx.deps.credits.balance(acct.id), 0);
    for (const g of gens) await waitDone(g.id);
  });

  test('concurrent inline upserts of one new product: every try-on accepted, one product, each charged once', async () => {
    // On PostgreSQL the requests' transactions run side by side: each finds no product and inserts one, and all but
    // the first hit UNIQUE(account_id, external_id). SQLite serialises them. Either way every request must succeed.
    const acct = await ctx.newAccount(20);
    const id = (await uploadPhoto(ctx, personPhoto, {}, acct.apiKey)).body.imageId;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        call(
          'POST',
          '/try-on',
          { products: [{ ...inline('race-new'), title: `mock ${n}` }], person: { image: { source: { id } } } },
          acct.apiKey,
        ),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(8).fill(200),
      JSON.stringify(results.filter((r) => r.status !== 200).map((r) => r.body)),
    );
    const products = await ctx.deps.db
      .selectFrom('products')
      .select(['id', 'title'])
      .where('account_id', '=', acct.id)
      .execute();
    assert.equal(products.length, 1);
    assert.match(products[0]!.title!, /^mock \d$/, 'one of the requests wrote it last');
    assert.equal(await ctx.deps.credits.balance(acct.id), 12);
    for (const r of results) assert.equal((await waitDone(r.body.generationId)).product_id, products[0]!.id);
  });

  test('watermark: the account logo is composited unless output.watermark is false', async () => {
    const logo = await sharp({
      create: { width: 64, height: 64, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } },
    })
      .png()
      .toBuffer();
    const { setAccountLogo } = await import('../services/logo.js');
    await setAccountLogo(ctx.deps, ctx.accountId, logo);
    try {
      const marked = await call('POST', '/try-on', {
        products: [{ externalId: 'shirt-42' }],
        person: { image: { source: { id: imageId } } },
      });
      const plain = await call('POST', '/try-on', {
        products: [{ externalId: 'shirt-42' }],
        person: { image: { source: { id: imageId } } },
        output: { watermark: false, aiLabel: false },
      });
      const a = await waitDone(marked.body.generationId);
      const b = await waitDone(plain.body.generationId);
      const upload = await ctx.deps.images.find(ctx.deps.db, ctx.accountId, imageId);
      const person = (await ctx.deps.blobs.get(upload!.blob_key))!.data;
      const withLogo = (await ctx.deps.blobs.get(a.result_blob_key!))!.data;
      const without = (await ctx.deps.blobs.get(b.result_blob_key!))!.data;
      assert.ok(without.equals(person), 'watermark:false leaves the result untouched');
      const { width, height } = await sharp(person).metadata();
      const corner = async (buf: Buffer) =>
        sharp(buf)
          .extract({ left: width! - 60, top: height! - 60, width: 40, height: 40 })
          .raw()
          .toBuffer();
      const [c1, c2] = await Promise.all([corner(withLogo), corner(person)]);
      const redder =
        c1.filter((_, i) => i % 3 === 0).reduce((s, v) => s + v, 0) >
        c2.filter((_, i) => i % 3 === 0).reduce((s, v) => s + v, 0);
      assert.ok(redder, 'the red logo shows bottom-right');
    } finally {
      await ctx.deps.accounts.update(ctx.accountId, { logoBlobKey: null });
    }
  });

  test('retention: after keepForDays the sweeper deletes results and person images; rows stay without resultImageUrl', async () => {
    const up = await uploadPhoto(ctx, personPhoto, { keepForDays: '1' });
    const res = await call('POST', '/try-on', {
      products: [{ externalId: 'shirt-42' }],
      person: { image: { source: { id: up.body.imageId } } },
      output: { keepForDays: 1 },
    });
    const done = await waitDone(res.body.generationId);
    const resultKey = done.result_blob_key!;
    const personKey = done.person_blob_key!;
    assert.ok((await hasBlob(resultKey)) && (await hasBlob(personKey)));
    const url = new URL((await call('GET', `/generations/${res.body.generationId}`)).body.resultImageUrl);

    clock.advanceDays(1.01);
    await ctx.deps.retention.sweep();
    assert.ok(!(await hasBlob(resultKey)), 'result deleted');
    assert.ok(!(await hasBlob(personKey)), 'person image deleted');
    const gen = await call('GET', `/generations/${res.body.generationId}`);
    assert.equal(gen.body.status, 'COMPLETED');
    assert.equal(gen.body.resultImageUrl, undefined);
    const expired = await fetchSigned(ctx, url.href);
    assert.ok(expired.statusCode === 403 || expired.statusCode === 404);
    const reuse = await call('POST', '/try-on', {
      products: [{ externalId: 'shirt-42' }],
      person: { image: { source: { id: up.body.imageId } } },
    });
    assert.equal(reuse.status, 400, 'an expired imageId cannot be used');
  });

  test('GDPR: DELETE /customers/:id removes that customer’s files, anonymises generations, leaves others alone; idempotent', async () => {
    const upload = async (user: string) => (await uploadPhoto(ctx, personPhoto, { externalUserId: user })).body.imageId;
    const mine = await upload('gdpr-1');
    const theirs = await upload('gdpr-2');
    const g1 = await call('POST', '/try-on', {
      products: [{ externalId: 'shirt-42' }],
      person: { image: { source: { id: mine } } },
      externalUserId: 'gdpr-1',
    });
    const g2 = await call('POST', '/try-on', {
      products: [{ externalId: 'shirt-42' }],
      person: { image: { source: { id: theirs } } },
      externalUserId: 'gdpr-2',
    });
    const d1 = await waitDone(g1.body.generationId);
    const d2 = await waitDone(g2.body.generationId);
    const url1 = new URL((await call('GET', `/generations/${d1.id}`)).body.resultImageUrl);

    const del = await ctx.app.inject({
      method: 'DELETE',
      url: '/tryon/v1/customers/gdpr-1',
      headers: { 'x-api-key': ctx.apiKey },
    });
    assert.equal(del.statusCode, 204);
    assert.equal(del.body, '');
    assert.ok(!(await hasBlob(d1.result_blob_key!)));
    assert.ok(!(await hasBlob(d1.person_blob_key!)));
    assert.equal((await fetchSigned(ctx, url1.href)).statusCode, 404, 'revoked URL answers 404');
    const anon = await ctx.deps.generations.find(d1.id);
    assert.equal(anon?.external_user_id, null);
    assert.equal((await call('GET', `/generations/${d1.id}`)).body.resultImageUrl, undefined);
    // The other customer is untouched.
    assert.ok(await hasBlob(d2.result_blob_key!));
    assert.equal((await ctx.deps.generations.find(d2.id))?.external_user_id, 'gdpr-2');
    // A try-on made from gdpr-1's uploaded photo but sent without externalUserId is erased with them too.
    const untaggedPhoto = await upload('gdpr-1');
    const g3 = await call('POST', '/try-on', {
      products: [{ externalId: 'shirt-42' }],
      person: { image: { source: { id: untaggedPhoto } } },
    });
    const d3 = await waitDone(g3.body.generationId);
    assert.ok(await hasBlob(d3.result_blob_key!));
    const again = await ctx.app.inject({
      method: 'DELETE',
      url: '/tryon/v1/customers/gdpr-1',
      headers: { 'x-api-key': ctx.apiKey },
    });
    assert.equal(again.statusCode, 204);
    assert.ok(!(await hasBlob(d3.result_blob_key!)), 'the untagged result of their photo is gone');
    // Another account erasing the same id touches nothing of ours.
    const other = await ctx.newAccount();
    await ctx.app.inject({
      method: 'DELETE',
      url: '/tryon/v1/customers/gdpr-2',
      headers: { 'x-api-key': other.apiKey },
    });
    assert.equal((await ctx.deps.generations.find(d2.id))?.external_user_id, 'gdpr-2');
  });

  test('/try-on/sync: 200 with the terminal generation for a fast (mock) try-on; 404 for an unknown product', async () => {
    const res = await call('POST', '/try-on/sync', {
      products: [{ externalId: 'shirt-42' }],
      person: { image: { source: { id: imageId } } },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'COMPLETED');
    assert.ok(res.body.resultImageUrl);
    assert.equal(res.body.productExternalId, 'shirt-42');
    const unknown = await call('POST', '/try-on/sync', {
      products: [{ externalId: 'nope' }],
      person: { image: { source: { id: imageId } } },
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'PRODUCT_NOT_FOUND');
  });

  test('product TTL: an inline product unused for 15 days is gone (404), a one-shot after 7', async () => {
    const res = await call('POST', '/try-on', {
      products: [inline('ttl-inline')],
      person: { image: { source: { url: images.url('/person.png') } } },
    });
    const one = await call('POST', '/try-on', {
      products: [inline(undefined)],
      person: { image: { source: { url: images.url('/person.png') } } },
    });
    await waitDone(res.body.generationId);
    await waitDone(one.body.generationId);
    clock.advanceDays(7.01);
    assert.equal((await call('GET', `/products/${one.body.productExternalId}`)).status, 404);
    assert.equal((await call('GET', '/products/ttl-inline')).status, 200);
    clock.advanceDays(8);
    const ref = await call('POST', '/try-on', {
      products: [{ externalId: 'ttl-inline' }],
      person: { image: { source: { url: images.url('/person.png') } } },
    });
    assert.equal(ref.status, 404);
    assert.equal(ref.body.code, 'PRODUCT_NOT_FOUND');
    const swept = await ctx.deps.retention.sweep();
    assert.ok(swept.products >= 2);
  });
});

describe('/try-on/sync past its timeout', () => {
  test('202 with the generation id; polling later gives COMPLETED', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = new ScriptedEngine('slow', async (input) => {
      await gate;
      return input.person;
    });
    const ctx = await createTestContext({ env: { SYNC_TIMEOUT_S: '1' }, extraEngines: new Map([['slow', slow]]) });
    try {
      await ctx.deps.accounts.update(ctx.accountId, { engine: 'slow' });
      const res = await postTryOn(
        ctx,
        {
          products: [{ title: 'shirt', images: [{ source: { fileKey: 'g' } }] }],
          person: { image: { source: { fileKey: 'me' } } },
        },
        {
          g: { filename: 'g.jpg', contentType: 'image/jpeg', data: garmentPhoto },
          me: { filename: 'me.png', contentType: 'image/png', data: personPhoto },
        },
        { sync: true },
      );
      assert.equal(res.statusCode, 202);
      const body = res.json();
      assert.ok(['PENDING', 'PROCESSING'].includes(body.status));
      release();
      const done = await ctx.deps.generations.waitForTerminal(body.generationId, 10_000);
      assert.equal(done.status, 'COMPLETED');
    } finally {
      release();
      await ctx.close();
    }
  });
});

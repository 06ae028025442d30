// End to end against the REAL fitroom server (packages/server's startTestServer: embedded SQLite in a temp dir, real
// HTTP on 127.0.0.1, mock engine). Every SDK method is exercised over the wire.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Fitroom } from './client.js';
import {
  AuthenticationError,
  GenerationNotFoundError,
  InsufficientCreditsError,
  NotFoundError,
  ProductNotFoundError,
  RateLimitedError,
  ValidationError,
} from './errors.js';
import { readTestPhoto, runExample } from './examples.test.support.js';
import type { Product } from './types.js';

interface TestServer {
  baseUrl: string;
  apiKey: string;
  accountId: string;
  close(): Promise<void>;
}
type StartTestServer = (options?: { credits?: number; env?: Record<string, string> }) => Promise<TestServer>;

// Loaded by URL, not a static import: packages/sdk compiles on its own (rootDir src/) and must not depend on the
// server package; this test runs from sources under tsx, where the server's TypeScript resolves.
const TEST_SERVER_URL = new URL('../../server/src/testing/test-server.ts', import.meta.url).href;
const PERSON = readTestPhoto('person/woman-1.jpg');
const GARMENT = readTestPhoto('garment/upper-1.jpg');

const { startTestServer } = (await import(TEST_SERVER_URL)) as { startTestServer: StartTestServer };
const server = await startTestServer({ credits: 20 });
after(async () => {
  await server.close();
});
const client = new Fitroom({ apiKey: server.apiKey, baseUrl: server.baseUrl });

/** Registers a catalog product from the garment fixture, sent as a multipart file part. */
const upsertProduct = (externalId: string, title = 'Red tee'): Promise<Product> =>
  client.products.upsert({
    externalId,
    title,
    description: 'Soft cotton',
    images: [{ source: { fileKey: 'front' } }],
    files: { front: { data: GARMENT, filename: 'front.jpg', mimeType: 'image/jpeg' } },
  });

describe('SDK end to end against the fitroom server', () => {
  test('account.credits', async () => {
    assert.deepEqual(await client.account.credits(), { creditBalance: 20 });
  });

  test('images.upload: crop default and crop=false, fields accepted, imageUrl serves the image', async () => {
    const cropped = await client.images.upload(PERSON, { mimeType: 'image/jpeg', filename: 'me.jpg' });
    assert.match(cropped.imageId, /^img_/);
    const img = await fetch(cropped.imageUrl);
    assert.equal(img.status, 200);
    assert.match(String(img.headers.get('content-type')), /^image\//);
    assert.ok((await img.arrayBuffer()).byteLength > 1000);

    const framed = await client.images.upload(new Blob([PERSON], { type: 'image/jpeg' }), {
      crop: false,
      externalUserId: 'e2e-user-upload',
      keepForDays: 3,
    });
    assert.match(framed.imageId, /^img_/);
    assert.notEqual(framed.imageId, cropped.imageId);
  });

  test('products: upsert (multipart file), partial update, retrieve, list pages, listAll, delete', async () => {
    const created = await upsertProduct('e2e-p1');
    assert.equal(created.externalId, 'e2e-p1');
    assert.equal(created.title, 'Red tee');
    assert.equal(created.validForDays, null);
    assert.equal(created.expiresAt, null);
    assert.equal(created.images.length, 1);
    assert.equal(created.images[0]!.order, 0);

    // A partial upsert keeps what it does not mention.
    const renamed = await client.products.upsert({ externalId: 'e2e-p1', title: 'New title' });
    assert.equal(renamed.title, 'New title');
    assert.equal(renamed.description, 'Soft cotton');
    assert.equal(renamed.images.length, 1);
    // The same product; its image's signed URL may differ by its expiry when the two calls straddle a minute (URLs
    // are signed to the minute), so it is compared without its query.
    const withoutSignature = (p: typeof renamed) => ({
      ...p,
      images: p.images.map((im) => ({ ...im, sourceUrl: im.sourceUrl?.split('?')[0] })),
    });
    assert.deepEqual(withoutSignature(await client.products.retrieve('e2e-p1')), withoutSignature(renamed));

    await upsertProduct('e2e-p2');
    await upsertProduct('e2e-p3');
    const page1 = await client.products.list({ limit: 2 });
    assert.equal(page1.count, 2);
    assert.equal(page1.items.length, 2);
    assert.equal(page1.hasMore, true);
    assert.equal(typeof page1.nextCursor, 'string');
    const page2 = await client.products.list({ limit: 2, cursor: page1.nextCursor! });
    assert.equal(page2.hasMore, false);
    assert.equal(page2.nextCursor, null);
    const paged = [...page1.items, ...page2.items].map((p) => p.externalId).sort();
    assert.deepEqual(paged, ['e2e-p1', 'e2e-p2', 'e2e-p3']);

    const all: string[] = [];
    for await (const p of client.products.listAll({ limit: 1 })) all.push(p.externalId);
    assert.deepEqual(all.sort(), ['e2e-p1', 'e2e-p2', 'e2e-p3']);

    assert.equal(await client.products.delete('e2e-p3'), undefined);
    await assert.rejects(client.products.retrieve('e2e-p3'), ProductNotFoundError);
    await assert.rejects(client.products.delete('e2e-p3'), ProductNotFoundError);
  });

  test('ids with reserved URL characters round-trip as one path segment', async () => {
    const id = 'e2e/odd id?#%';
    await upsertProduct(id);
    assert.equal((await client.products.retrieve(id)).externalId, id);
    await client.products.delete(id);
    await assert.rejects(client.products.retrieve(id), ProductNotFoundError);
  });

  test('errors: 401, 404, 400 map to their classes with code, status and requestId', async () => {
    const wrongKey = new Fitroom({ apiKey: 'gk_wrong', baseUrl: server.baseUrl });
    const e401 = await wrongKey.account.credits().catch((e: unknown) => e);
    assert.ok(e401 instanceof AuthenticationError);
    assert.equal(e401.code, 'INVALID_API_KEY');
    assert.equal(e401.status, 401);
    assert.ok(e401.requestId, 'x-request-id missing on the 401');

    const e404 = await client.products.retrieve('e2e-does-not-exist').catch((e: unknown) => e);
    assert.ok(e404 instanceof ProductNotFoundError);
    assert.equal(e404.code, 'PRODUCT_NOT_FOUND');
    assert.equal(e404.status, 404);
    assert.equal(e404.message, "Product 'e2e-does-not-exist' not found.");
    assert.ok(e404.requestId);
    // Spec §8: rate-limit headers on every answer, errors included.
    assert.ok(e404.headers?.get('x-ratelimit-limit'), 'x-ratelimit-limit missing');
    assert.ok(e404.headers?.get('x-ratelimit-remaining'), 'x-ratelimit-remaining missing');

    const e400 = await client.products.list({ limit: 0 }).catch((e: unknown) => e);
    assert.ok(e400 instanceof ValidationError);
    assert.equal(e400.code, 'VALIDATION_FAILED');
    assert.equal(e400.status, 400);
    assert.ok(Array.isArray(e400.details) && e400.details.length > 0);
    assert.equal(e400.details[0]!.path, 'limit');

    const noImages = await client.products.upsert({ externalId: 'e2e-no-images' }).catch((e: unknown) => e);
    assert.ok(noImages instanceof ValidationError);
    assert.equal(noImages.code, 'PRODUCT_IMAGES_REQUIRED');

    const garbage = await client.images.upload(new Uint8Array(10), { mimeType: 'image/jpeg' }).catch((e: unknown) => e);
    assert.ok(garbage instanceof ValidationError);
    assert.equal(garbage.code, 'INVALID_IMAGE');

    const badBase = new Fitroom({ apiKey: server.apiKey, baseUrl: server.baseUrl.replace('/tryon/v1', '') });
    const eRoute = await badBase.account.credits().catch((e: unknown) => e);
    assert.ok(eRoute instanceof NotFoundError);
    assert.equal(eRoute.code, 'NOT_FOUND');
  });

  test('429: RateLimitedError with retryAfterMs from the server’s retry-after', async () => {
    const limited = await startTestServer({ env: { RATE_LIMIT_PER_MIN: '2' } });
    try {
      const c = new Fitroom({ apiKey: limited.apiKey, baseUrl: limited.baseUrl, maxRetries: 0 });
      await c.account.credits();
      await c.account.credits();
      const err = await c.account.credits().catch((e: unknown) => e);
      assert.ok(err instanceof RateLimitedError, String(err));
      assert.equal(err.code, 'RATE_LIMITED');
      assert.equal(err.status, 429);
      const wait = err.retryAfterMs;
      assert.ok(wait !== undefined && wait > 0 && wait <= 60_000, `retryAfterMs ${wait}`);
      assert.equal(err.headers?.get('x-ratelimit-remaining'), '0');
    } finally {
      await limited.close();
    }
  });

  test('tryOn.create with a product titled "mock", then waitFor → COMPLETED; one credit spent', async () => {
    await upsertProduct('e2e-mock', 'mock');
    const { imageId } = await client.images.upload(PERSON, { mimeType: 'image/jpeg' });
    const before = (await client.account.credits()).creditBalance;
    const started = await client.tryOn.create({
      products: [{ externalId: 'e2e-mock' }],
      person: { image: { source: { id: imageId } } },
    });
    assert.match(started.generationId, /^gen_/);
    assert.equal(started.status, 'PENDING');
    assert.equal(started.productExternalId, 'e2e-mock');
    const seen: string[] = [];
    const done = await client.generations.waitFor(started.generationId, {
      timeoutMs: 30_000,
      pollIntervalMs: 100,
      onStatus: (g) => seen.push(g.status),
    });
    assert.equal(done.status, 'COMPLETED');
    assert.equal(seen.at(-1), 'COMPLETED');
    assert.ok(done.resultImageUrl);
    const result = await fetch(done.resultImageUrl);
    assert.equal(result.status, 200);
    assert.equal((await client.account.credits()).creditBalance, before - 1);
    const again = await client.generations.retrieve(started.generationId);
    assert.equal(again.status, 'COMPLETED');
    assert.ok(again.updatedAt >= again.createdAt);
  });

  test('tryOn.create in the deprecated shape with multipart files (product/customer fileKeys)', async () => {
    const started = await client.tryOn.create({
      product: { externalId: 'e2e-legacy', title: 'mock', images: [{ fileKey: 'product' }] },
      customer: { fileKey: 'me' },
      customerId: 'e2e-legacy-user',
      useWatermark: false,
      files: {
        product: { data: GARMENT, filename: 'tee.jpg', mimeType: 'image/jpeg' },
        me: { data: PERSON, filename: 'me.jpg', mimeType: 'image/jpeg' },
      },
    });
    assert.equal(started.productExternalId, 'e2e-legacy');
    const done = await client.generations.waitFor(started.generationId, { timeoutMs: 30_000, pollIntervalMs: 100 });
    assert.equal(done.status, 'COMPLETED');
  });

  test('tryOn.createSync → 200 with the COMPLETED generation', async () => {
    await upsertProduct('e2e-mock-sync', 'mock');
    const { imageId } = await client.images.upload(PERSON, { mimeType: 'image/jpeg' });
    const result = await client.tryOn.createSync({
      products: [{ externalId: 'e2e-mock-sync' }],
      person: { image: { source: { id: imageId } } },
      output: { watermark: false, aiLabel: false, keepForDays: 1 },
    });
    assert.equal(result.status, 'COMPLETED');
    assert.match(result.generationId, /^gen_/);
    assert.ok(result.resultImageUrl);
  });

  test('idempotencyKey: the same try-on sent twice with one key is one generation, charged once', async () => {
    await upsertProduct('e2e-idem', 'mock');
    const { imageId } = await client.images.upload(PERSON, { mimeType: 'image/jpeg' });
    const before = (await client.account.credits()).creditBalance;
    const body = { products: [{ externalId: 'e2e-idem' }], person: { image: { source: { id: imageId } } } };
    const key = crypto.randomUUID();
    const first = await client.tryOn.create(body, { idempotencyKey: key });
    const second = await client.tryOn.create(body, { idempotencyKey: key });
    assert.equal(second.generationId, first.generationId);
    assert.equal((await client.account.credits()).creditBalance, before - 1);
    await client.generations.waitFor(first.generationId, { timeoutMs: 30_000, pollIntervalMs: 100 });
  });

  test('try-on errors: unknown product → ProductNotFoundError (no charge); 0 credits → InsufficientCreditsError', async () => {
    const { imageId } = await client.images.upload(PERSON, { mimeType: 'image/jpeg' });
    const before = (await client.account.credits()).creditBalance;
    const body = { products: [{ externalId: 'e2e-unknown' }], person: { image: { source: { id: imageId } } } };
    await assert.rejects(client.tryOn.create(body), ProductNotFoundError);
    await assert.rejects(client.tryOn.createSync(body), ProductNotFoundError);
    assert.equal((await client.account.credits()).creditBalance, before);

    const broke = await startTestServer({ credits: 0 });
    try {
      const poor = new Fitroom({ apiKey: broke.apiKey, baseUrl: broke.baseUrl });
      const { imageId: id2 } = await poor.images.upload(PERSON, { mimeType: 'image/jpeg' });
      const err = await poor.tryOn
        .create({
          products: [{ title: 'mock', images: [{ source: { fileKey: 'p' } }] }],
          person: { image: { source: { id: id2 } } },
          files: { p: { data: GARMENT, mimeType: 'image/jpeg' } },
        })
        .catch((e: unknown) => e);
      assert.ok(err instanceof InsufficientCreditsError, String(err));
      assert.equal(err.code, 'INSUFFICIENT_CREDITS');
      assert.equal(err.status, 402);
      assert.deepEqual(await poor.account.credits(), { creditBalance: 0 });
    } finally {
      await broke.close();
    }
  });

  test('generations.retrieve of an unknown id → GenerationNotFoundError', async () => {
    const err = await client.generations.retrieve('gen_doesnotexist').catch((e: unknown) => e);
    assert.ok(err instanceof GenerationNotFoundError, String(err));
    assert.equal(err.status, 404);
  });

  test('customers.delete → resolves (204), idempotent, and revokes the customer’s image URLs', async () => {
    const { imageUrl } = await client.images.upload(PERSON, {
      mimeType: 'image/jpeg',
      externalUserId: 'e2e-gdpr',
    });
    assert.equal((await fetch(imageUrl)).status, 200);
    assert.equal(await client.customers.delete('e2e-gdpr'), undefined);
    assert.equal(await client.customers.delete('e2e-gdpr'), undefined);
    assert.equal(await client.customers.delete('e2e-nobody'), undefined);
    assert.equal((await fetch(imageUrl)).status, 404);
  });

  test('examples/recommended-flow.ts runs against the server (404 → upsert → retry → waitFor)', async () => {
    const res = await runExample({ FITROOM_API_KEY: server.apiKey, FITROOM_BASE_URL: server.baseUrl }, '--mock');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /not registered yet → upserting it/);
    assert.match(res.stdout, /result: http/);
  });
});

/**
 * The admin API's products and generations over every account: lists with their filters and pages, signed image
 * URLs that open, TTL and retention states, product deletion with its files, a generation's detail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { resultKey } from '../../blob-keys.js';
import { ManualClock } from '../../ports/clock.js';
import { type AdminClient, adminClient } from '../../testing/admin-client.js';
import { createTestContext, fetchSigned, multipart, type TestContext, uploadPhoto } from '../../testing/test-server.js';

interface Product {
  id: string;
  accountId: string;
  externalId: string;
  kind: string;
  title: string;
  description: string;
  images: Array<{ url: string | null; sourceUrl: string | null; role: string | null }>;
  validForDays: number | null;
  expiresAt: string | null;
  expired: boolean;
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
}
interface Generation {
  id: string;
  accountId: string;
  status: string;
  productExternalId: string;
  productTitle: string | null;
  engine: string;
  errorCode: string | null;
  errorMessage: string | null;
  personImageUrl: string | null;
  productImageUrl: string | null;
  resultImageUrl: string | null;
  createdAt: string;
  completedAt: string | null;
  durationMs: number | null;
}
interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const image = (colour: string, width = 300, height = 400) =>
  sharp({ create: { width, height, channels: 3, background: colour } })
    .jpeg()
    .toBuffer();

describe('admin API: products and generations', () => {
  let ctx: TestContext;
  let admin: AdminClient;
  // May 2026: the blobs stay on local disk in the scale-out pass, as a bucket judges presigned URLs by real time.
  const clock = new ManualClock('2026-05-03T10:00:00.000Z');
  let a: { id: string; apiKey: string };
  let b: { id: string; apiKey: string };
  before(async () => {
    ctx = await createTestContext({ workers: false, clock, localBlobs: true });
    admin = adminClient(ctx);
    a = await ctx.newAccount(10);
    b = await ctx.newAccount(10);
  });
  after(() => ctx.close());

  const upsert = async (apiKey: string, data: Record<string, unknown>, colour = '#2050c0') => {
    clock.advance(1000);
    const form = multipart([
      { name: 'data', value: JSON.stringify({ ...data, images: [{ source: { fileKey: 'image' } }] }) },
      { name: 'image', filename: 'p.jpg', contentType: 'image/jpeg', data: await image(colour) },
    ]);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/products',
      headers: { 'x-api-key': apiKey, ...form.headers },
      payload: form.payload,
    });
    assert.ok(res.statusCode < 300, res.body);
  };
  const productsOf = (query: string) => admin.json<Page<Product>>('GET', `/admin/v1/products?${query}`);

  test('products of every account, newest first, filtered by account and by a part of the id or title', async () => {
    await upsert(a.apiKey, { externalId: 'shirt-1', title: 'Blue shirt' });
    await upsert(a.apiKey, { externalId: 'dress-2', title: 'Red dress', description: 'Long' });
    await upsert(b.apiKey, { externalId: 'jeans-3', title: 'Blue jeans' });

    const all = await productsOf('');
    assert.deepEqual(
      all.data.map((p) => p.externalId),
      ['jeans-3', 'dress-2', 'shirt-1'],
    );
    const dress = all.data[1]!;
    assert.deepEqual(
      { ...dress, images: [] },
      {
        id: dress.id,
        accountId: a.id,
        externalId: 'dress-2',
        kind: 'catalog',
        title: 'Red dress',
        description: 'Long',
        images: [],
        validForDays: null,
        expiresAt: null,
        expired: false,
        lastUsedAt: null,
        createdAt: dress.createdAt,
        updatedAt: dress.updatedAt,
      },
    );
    assert.match(dress.id, /^prd_/);
    assert.equal(dress.images.length, 1);
    assert.equal(dress.images[0]!.sourceUrl, null, 'uploaded as a file');
    const opened = await fetchSigned(ctx, dress.images[0]!.url!);
    assert.equal(opened.statusCode, 200, 'a signed URL that opens');
    assert.equal((await sharp(opened.rawPayload).metadata()).width, 300);

    assert.deepEqual(
      (await productsOf(`accountId=${a.id}`)).data.map((p) => p.externalId),
      ['dress-2', 'shirt-1'],
    );
    assert.deepEqual(
      (await productsOf('search=BLUE')).data.map((p) => p.externalId),
      ['jeans-3', 'shirt-1'],
    );
    assert.deepEqual(
      (await productsOf(`search=blue&accountId=${b.id}`)).data.map((p) => p.externalId),
      ['jeans-3'],
    );
    assert.deepEqual(
      (await productsOf('search=ss-2')).data.map((p) => p.externalId),
      ['dress-2'],
    );
    assert.deepEqual((await productsOf('search=_')).data, [], '_ is a character, not a wildcard');

    const first = await productsOf(`accountId=${a.id}&limit=1`);
    assert.deepEqual(
      first.data.map((p) => p.externalId),
      ['dress-2'],
    );
    const second = await productsOf(`accountId=${a.id}&limit=1&cursor=${first.nextCursor}`);
    assert.deepEqual(
      second.data.map((p) => p.externalId),
      ['shirt-1'],
    );
    assert.equal(second.nextCursor, null);

    for (const [query, status, code] of [
      ['accountId=acc_nope', 404, 'ACCOUNT_NOT_FOUND'],
      ['cursor=garbage', 400, 'VALIDATION_FAILED'],
      ['limit=0', 400, 'VALIDATION_FAILED'],
      [`search=${'x'.repeat(256)}`, 400, 'VALIDATION_FAILED'],
    ] as const) {
      const res = await admin.call('GET', `/admin/v1/products?${query}`);
      assert.equal(res.statusCode, status, query);
      assert.equal(res.json().code, code, query);
    }
  });

  test('deleting a product removes it and its files, as the public API does; expired ones too', async () => {
    await upsert(a.apiKey, { externalId: 'to-delete', title: 'Gone soon' });
    await upsert(a.apiKey, { externalId: 'short-lived', title: 'Day', validForDays: 1 });
    const listed = (await productsOf('search=to-delete')).data[0]!;
    const fileOf = async (productId: string) =>
      (
        await ctx.deps.db
          .selectFrom('product_images')
          .select('blob_key')
          .where('product_id', '=', productId)
          .executeTakeFirstOrThrow()
      ).blob_key!;
    const file = await fileOf(listed.id);
    const keysBefore = await ctx.blobKeys();
    assert.ok(keysBefore.includes(file));
    const res = await admin.call('DELETE', `/admin/v1/products/${listed.id}`);
    assert.equal(res.statusCode, 204);
    const keysAfter = await ctx.blobKeys();
    assert.deepEqual(
      keysAfter,
      keysBefore.filter((k) => k !== file),
      'its one image file is deleted',
    );
    const publicGet = await ctx.app.inject({ url: '/tryon/v1/products/to-delete', headers: { 'x-api-key': a.apiKey } });
    assert.equal(publicGet.statusCode, 404);
    const again = await admin.call('DELETE', `/admin/v1/products/${listed.id}`);
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().code, 'PRODUCT_NOT_FOUND');

    clock.advanceDays(2);
    const expired = (await productsOf('search=short-lived')).data[0]!;
    const expiredFile = await fileOf(expired.id);
    assert.equal(expired.validForDays, 1);
    assert.equal(expired.expired, true, 'listed until the sweep deletes it, marked expired');
    assert.deepEqual(expired.images, [{ url: null, sourceUrl: null, role: null }], 'its file is not handed out');
    assert.equal((await admin.call('DELETE', `/admin/v1/products/${expired.id}`)).statusCode, 204);
    assert.deepEqual((await productsOf('search=short-lived')).data, []);
    assert.deepEqual(
      await ctx.blobKeys(),
      keysAfter.filter((k) => k !== expiredFile),
    );
  });

  test('generations: thumbnails as signed URLs, status, error code, duration; filters and pages', async () => {
    await upsert(a.apiKey, { externalId: 'gen-shirt', title: 'Gen shirt' }, '#30a050');
    await upsert(b.apiKey, { externalId: 'gen-jeans', title: 'Gen jeans' }, '#303080');
    const tryOn = async (account: { apiKey: string }, externalId: string) => {
      const person = await uploadPhoto({ app: ctx.app, apiKey: account.apiKey }, await image('#c0a080', 400, 500), {
        crop: 'false',
      });
      assert.equal(person.status, 200);
      clock.advance(1000);
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/tryon/v1/try-on',
        headers: { 'x-api-key': account.apiKey },
        payload: { products: [{ externalId }], person: { image: { source: { id: person.body.imageId } } } },
      });
      assert.ok(res.statusCode < 300, res.body);
      return res.json().generationId as string;
    };
    const completed = await tryOn(a, 'gen-shirt');
    const failed = await tryOn(a, 'gen-shirt');
    const pending = await tryOn(b, 'gen-jeans');
    const day = clock.now().toISOString().slice(0, 10);

    clock.advance(2500);
    const key = resultKey(a.id, completed, 'image/jpeg');
    await ctx.deps.blobs.put(key, await image('#ffffff'), 'image/jpeg');
    assert.equal(await ctx.deps.generations.complete(completed, key), true);
    assert.equal(await ctx.deps.generations.fail(failed, 'PERSON_NOT_DETECTED', 'No person in the photo.'), true);

    const page = await admin.json<Page<Generation>>('GET', `/admin/v1/generations?from=${day}T00:00:00Z`);
    assert.deepEqual(
      page.data.map((g) => g.id),
      [pending, failed, completed],
    );
    const [p, f, c] = page.data as [Generation, Generation, Generation];
    assert.deepEqual(
      [c.status, c.accountId, c.productExternalId, c.productTitle, c.engine, c.errorCode, c.durationMs],
      ['COMPLETED', a.id, 'gen-shirt', 'Gen shirt', 'mock', null, 4500],
    );
    for (const url of [c.personImageUrl, c.productImageUrl, c.resultImageUrl]) {
      assert.ok(url, 'three thumbnails');
      assert.equal((await fetchSigned(ctx, url)).statusCode, 200, url);
    }
    assert.deepEqual(
      [f.status, f.errorCode, f.errorMessage, f.resultImageUrl, f.durationMs],
      ['FAILED', 'PERSON_NOT_DETECTED', 'No person in the photo.', null, 3500],
    );
    assert.deepEqual([p.status, p.resultImageUrl, p.completedAt, p.durationMs], ['PENDING', null, null, null]);
    assert.ok(p.personImageUrl && p.productImageUrl);

    const ids = async (query: string) =>
      (await admin.json<Page<Generation>>('GET', `/admin/v1/generations?${query}`)).data.map((g) => g.id);
    assert.deepEqual(await ids(`status=FAILED&from=${day}T00:00:00Z`), [failed]);
    assert.deepEqual(await ids(`accountId=${b.id}`), [pending]);
    assert.deepEqual(await ids(`accountId=${a.id}&status=COMPLETED`), [completed]);
    // [from, to): `to` excludes the generation created at exactly that instant.
    const createdOf = (id: string) => page.data.find((g) => g.id === id)!.createdAt;
    assert.deepEqual(await ids(`from=${createdOf(failed)}&to=${createdOf(pending)}`), [failed]);
    assert.deepEqual(
      await ids(`from=${encodeURIComponent(createdOf(failed).replace('Z', '+00:00'))}&to=${createdOf(pending)}`),
      [failed],
      'an offset is understood',
    );
    assert.deepEqual(await ids('to=2026-01-01T00:00:00Z'), []);
    const first = await admin.json<Page<Generation>>('GET', `/admin/v1/generations?accountId=${a.id}&limit=1`);
    assert.deepEqual(
      first.data.map((g) => g.id),
      [failed],
    );
    assert.deepEqual(await ids(`accountId=${a.id}&limit=1&cursor=${first.nextCursor}`), [completed]);

    const detail = await admin.json<Record<string, unknown>>('GET', `/admin/v1/generations/${completed}`);
    assert.equal(detail.id, completed);
    assert.equal(detail.keepForDays, 7);
    assert.equal(detail.watermark, null);
    assert.deepEqual((detail.product as { externalId: string; title: string }).externalId, 'gen-shirt');
    assert.equal((detail.product as { images: unknown[] }).images.length, 1);
    assert.equal(JSON.stringify(detail).includes('blobKey'), false, 'no storage keys in the answer');

    for (const [url, status, code] of [
      ['/admin/v1/generations/gen_nope', 404, 'GENERATION_NOT_FOUND'],
      ['/admin/v1/generations?accountId=acc_nope', 404, 'ACCOUNT_NOT_FOUND'],
      ['/admin/v1/generations?status=DONE', 400, 'VALIDATION_FAILED'],
      ['/admin/v1/generations?from=yesterday', 400, 'VALIDATION_FAILED'],
      ['/admin/v1/generations?to=2026-13-01T00:00:00Z', 400, 'VALIDATION_FAILED'],
      ['/admin/v1/generations?cursor=W10', 400, 'VALIDATION_FAILED'],
    ] as const) {
      const res = await admin.call('GET', url);
      assert.equal(res.statusCode, status, url);
      assert.equal(res.json().code, code, url);
    }

    // Past its retention the person photo and the result are no longer handed out, swept or not.
    clock.advanceDays(8);
    const old = await admin.json<Generation>('GET', `/admin/v1/generations/${completed}`);
    assert.deepEqual([old.personImageUrl, old.resultImageUrl], [null, null]);
  });
});

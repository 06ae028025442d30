import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { ManualClock } from '../ports/clock.js';
import { readFixture } from '../testing/fixtures.js';
import { type ImageServer, startImageServer } from '../testing/image-server.js';
import { createTestContext, fetchSigned, multipart, type TestContext } from '../testing/test-server.js';

const garment = readFixture('garment', 'upper-1.jpg');

describe('products', () => {
  let ctx: TestContext;
  let images: ImageServer;
  let clock: ManualClock;
  let json: (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: unknown,
    key?: string,
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers, asserted field by field
  ) => Promise<{ status: number; body: any }>;
  const blobCount = async () => (await ctx.blobKeys()).filter((k) => k.startsWith(`${ctx.accountId}/products/`)).length;

  before(async () => {
    clock = new ManualClock('2026-05-13T10:00:00.000Z');
    // The clock is set in May 2026: a bucket judges presigned URLs by real time and would call them expired, so the
    // blobs stay on local disk in the scale-out pass (the S3 store's own tests cover its URLs).
    ctx = await createTestContext({ clock, localBlobs: true, env: { ALLOW_PRIVATE_FETCH: 'true' } });
    images = await startImageServer({
      '/front.jpg': { data: garment },
      '/back.jpg': { data: readFixture('garment', 'upper-2.jpg') },
      '/garbage.jpg': { data: Buffer.from('definitely not a jpeg, just some bytes') },
    });
    json = async (method, url, body, key = ctx.apiKey) => {
      const res = await ctx.app.inject({
        method,
        url: `/tryon/v1${url}`,
        headers: { 'x-api-key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      return { status: res.statusCode, body: res.body ? res.json() : null };
    };
  });
  after(async () => {
    await images.close();
    await ctx.close();
  });

  test('create → product object with lifetime TTL; images downloaded and stored', async () => {
    const res = await json('POST', '/products', {
      externalId: 'p1',
      title: 'Red tee',
      description: 'Soft cotton',
      images: [{ source: { url: images.url('/front.jpg') } }],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      { ...res.body, images: undefined },
      {
        externalId: 'p1',
        title: 'Red tee',
        description: 'Soft cotton',
        metadata: null,
        autoDetectImageRoles: false,
        validForDays: null,
        expiresAt: null,
        lastUsedAt: null,
        createdAt: '2026-05-13T10:00:00.000Z',
        updatedAt: '2026-05-13T10:00:00.000Z',
        images: undefined,
      },
    );
    assert.deepEqual(res.body.images, [{ sourceUrl: images.url('/front.jpg'), role: null, order: 0 }]);
    assert.equal(images.hits.get('/front.jpg'), 1);
    assert.equal(await blobCount(), 1);
  });

  test('partial update keeps description and images; images given replace the list', async () => {
    clock.advance(1000);
    const res = await json('POST', '/products', { externalId: 'p1', title: 'New' });
    assert.equal(res.body.title, 'New');
    assert.equal(res.body.description, 'Soft cotton');
    assert.equal(res.body.images.length, 1);
    assert.equal(res.body.updatedAt, '2026-05-13T10:00:01.000Z');
    assert.equal(res.body.createdAt, '2026-05-13T10:00:00.000Z');

    const replaced = await json('POST', '/products', {
      externalId: 'p1',
      images: [{ source: { url: images.url('/back.jpg') }, role: 'top-back' }],
    });
    assert.deepEqual(replaced.body.images, [{ sourceUrl: images.url('/back.jpg'), role: 'top-back', order: 0 }]);
    // The replaced image's blob is gone, the new one stored: no orphans.
    assert.equal(await blobCount(), 1);
  });

  test('re-sending an already stored image URL does not download it again', async () => {
    const before = images.hits.get('/back.jpg');
    await json('POST', '/products', { externalId: 'p1', images: [{ source: { url: images.url('/back.jpg') } }] });
    assert.equal(images.hits.get('/back.jpg'), before);
  });

  test('deprecated image shapes: flat {url}, imageUrls', async () => {
    const flat = await json('POST', '/products', { externalId: 'flat', images: [{ url: images.url('/front.jpg') }] });
    assert.equal(flat.status, 200);
    assert.equal(flat.body.images[0].sourceUrl, images.url('/front.jpg'));
    const alpha = await json('POST', '/products', { externalId: 'alpha', imageUrls: [images.url('/front.jpg')] });
    assert.equal(alpha.status, 200);
    assert.equal(alpha.body.images.length, 1);
  });

  test('validation: externalId, _anon_, validForDays, images', async () => {
    const noId = await json('POST', '/products', {
      title: 'x',
      images: [{ source: { url: images.url('/front.jpg') } }],
    });
    assert.equal(noId.status, 400);
    assert.equal(noId.body.code, 'EXTERNAL_ID_REQUIRED');

    const anon = await json('POST', '/products', {
      externalId: '_anon_x',
      images: [{ source: { url: images.url('/front.jpg') } }],
    });
    assert.equal(anon.body.code, 'VALIDATION_FAILED');
    assert.equal(anon.body.details[0].path, 'externalId');

    const str = await json('POST', '/products', { externalId: 'p2', validForDays: '10' });
    assert.equal(str.status, 400);
    assert.deepEqual(str.body.details, [{ path: 'validForDays', message: 'Expected number, received string' }]);

    const big = await json('POST', '/products', { externalId: 'p2', validForDays: 400 });
    assert.equal(big.body.code, 'VALIDATION_FAILED');

    const noImages = await json('POST', '/products', { externalId: 'p2', title: 'no images' });
    assert.equal(noImages.body.code, 'PRODUCT_IMAGES_REQUIRED');
    const emptyImages = await json('POST', '/products', { externalId: 'p2', images: [] });
    assert.equal(emptyImages.body.code, 'PRODUCT_IMAGES_REQUIRED');

    for (const bad of [{}, { source: {} }, { source: { url: images.url('/front.jpg'), fileKey: 'x' } }]) {
      const res = await json('POST', '/products', { externalId: 'p2', images: [bad] });
      assert.equal(res.body.code, 'INVALID_IMAGE_INPUT', JSON.stringify(bad));
    }
    const ftp = await json('POST', '/products', { externalId: 'p2', images: [{ source: { url: 'ftp://x/y.jpg' } }] });
    assert.equal(ftp.body.code, 'VALIDATION_FAILED');
    // None of the rejected requests created anything.
    assert.equal((await json('GET', '/products/p2')).status, 404);
  });

  test('an unreachable or undecodable image URL → 400 PRODUCT_IMAGE_FETCH_FAILED, nothing changes', async () => {
    const blobs = await blobCount();
    const missing = await json('POST', '/products', {
      externalId: 'p3',
      images: [{ source: { url: images.url('/front.jpg') } }, { source: { url: images.url('/missing.jpg') } }],
    });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.code, 'PRODUCT_IMAGE_FETCH_FAILED');
    const garbage = await json('POST', '/products', {
      externalId: 'p3',
      images: [{ source: { url: images.url('/garbage.jpg') } }],
    });
    assert.equal(garbage.body.code, 'PRODUCT_IMAGE_FETCH_FAILED');
    assert.equal((await json('GET', '/products/p3')).status, 404);
    assert.equal(await blobCount(), blobs, 'the first image, downloaded before the second failed, was removed again');
    // An existing product is left as it was.
    const before = await json('GET', '/products/p1');
    await json('POST', '/products', {
      externalId: 'p1',
      title: 'changed?',
      images: [{ source: { url: images.url('/missing.jpg') } }],
    });
    assert.deepEqual(await json('GET', '/products/p1'), before);
  });

  test('validForDays: TTL from the last upsert, 404 after expiry, null switches back to forever', async () => {
    const created = await json('POST', '/products', {
      externalId: 'ttl',
      validForDays: 2,
      images: [{ url: images.url('/front.jpg') }],
    });
    assert.equal(created.body.validForDays, 2);
    assert.equal(created.body.expiresAt, new Date(clock.now().getTime() + 2 * 86_400_000).toISOString());
    const forever = await json('POST', '/products', { externalId: 'ttl', validForDays: null });
    assert.equal(forever.body.expiresAt, null);
    await json('POST', '/products', { externalId: 'ttl', validForDays: 1 });
    clock.advanceDays(1.5);
    const gone = await json('GET', '/products/ttl');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'PRODUCT_NOT_FOUND');
    assert.equal(gone.body.message, "Product 'ttl' not found.");
  });

  test('multipart upsert: JSON in `data`, the file under its fileKey (the example app)', async () => {
    const form = multipart([
      {
        name: 'data',
        value: JSON.stringify({ externalId: 'mp', title: 'mock', images: [{ source: { fileKey: 'product' } }] }),
      },
      { name: 'product', filename: 'p.jpg', contentType: 'image/jpeg', data: garment },
    ]);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/products',
      headers: { 'x-api-key': ctx.apiKey, ...form.headers },
      payload: form.payload,
    });
    assert.equal(res.statusCode, 200, res.body);
    const product = res.json();
    assert.equal(product.title, 'mock');
    // A file image has no source URL of its own: the answer links our stored copy, signed.
    const stored = await fetchSigned(ctx, product.images[0].sourceUrl);
    assert.equal(stored.statusCode, 200);
    const meta = await sharp(stored.rawPayload).metadata();
    assert.equal(meta.format, 'jpeg');

    const missingPart = multipart([
      { name: 'data', value: JSON.stringify({ externalId: 'mp2', images: [{ source: { fileKey: 'product' } }] }) },
    ]);
    const res2 = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/products',
      headers: { 'x-api-key': ctx.apiKey, ...missingPart.headers },
      payload: missingPart.payload,
    });
    assert.equal(res2.json().code, 'MULTIPART_FILE_NOT_FOUND');

    const badFile = multipart([
      { name: 'data', value: JSON.stringify({ externalId: 'mp3', images: [{ source: { fileKey: 'product' } }] }) },
      { name: 'product', filename: 'p.jpg', contentType: 'image/jpeg', data: Buffer.from('0123456789') },
    ]);
    const res3 = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/products',
      headers: { 'x-api-key': ctx.apiKey, ...badFile.headers },
      payload: badFile.payload,
    });
    assert.equal(res3.json().code, 'INVALID_IMAGE');
  });

  test('a missing file: MULTIPART_FILE_NOT_FOUND for a fileKey in JSON or multipart; FILE_REQUIRED for a form-urlencoded body', async () => {
    // FILE_REQUIRED is POST /images/upload's code (its `file` field); /products has no file field, and Genlook's
    // code for a fileKey without its part is MULTIPART_FILE_NOT_FOUND, whatever the body's encoding.
    const data = { externalId: 'nofile', images: [{ source: { fileKey: 'front' } }] };
    const asJson = await json('POST', '/products', data);
    assert.equal(asJson.status, 400);
    assert.equal(asJson.body.code, 'MULTIPART_FILE_NOT_FOUND');
    const form = multipart([{ name: 'data', value: JSON.stringify(data) }]);
    const asMultipart = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/products',
      headers: { 'x-api-key': ctx.apiKey, ...form.headers },
      payload: form.payload,
    });
    assert.equal(asMultipart.json().code, 'MULTIPART_FILE_NOT_FOUND');
    // A form-urlencoded body is a form post whose files are missing: Genlook's catalogue code for a missing file.
    const urlencoded = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/products',
      headers: { 'x-api-key': ctx.apiKey, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      payload: `data=${encodeURIComponent(JSON.stringify(data))}`,
    });
    assert.equal(urlencoded.statusCode, 400);
    assert.equal(urlencoded.json().code, 'FILE_REQUIRED');
    // Any other type /products cannot read stays a validation error.
    const text = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/products',
      headers: { 'x-api-key': ctx.apiKey, 'content-type': 'text/csv' },
      payload: 'externalId,title',
    });
    assert.deepEqual(text.json(), {
      code: 'VALIDATION_FAILED',
      message: 'Unsupported Content-Type: send application/json or multipart/form-data.',
      status: 400,
    });
    assert.equal((await json('GET', '/products/nofile')).status, 404);
  });

  test('title and description are strings in every answer: "" when the product has none', async () => {
    const created = await json('POST', '/products', {
      externalId: 'bare',
      images: [{ source: { url: images.url('/front.jpg') } }],
    });
    assert.equal(created.status, 200);
    assert.equal(created.body.title, '');
    assert.equal(created.body.description, '');
    const fetched = await json('GET', '/products/bare');
    assert.deepEqual([fetched.body.title, fetched.body.description], ['', '']);
    const listed = (await json('GET', '/products?limit=200')).body.items.find(
      (p: { externalId: string }) => p.externalId === 'bare',
    );
    assert.deepEqual([listed.title, listed.description], ['', '']);
    // An explicit null clears the field: also "".
    const titled = await json('POST', '/products', { externalId: 'bare', title: 'Tee' });
    assert.deepEqual([titled.body.title, titled.body.description], ['Tee', '']);
    const cleared = await json('POST', '/products', { externalId: 'bare', title: null });
    assert.equal(cleared.body.title, '');
  });

  test('ids of up to 255 characters are routable whatever their characters; longer ones answer in the envelope', async () => {
    // The router measured parameters against Fastify's default of 100 characters, so such a product could be
    // created but not read or deleted (414 in Fastify's own shape). Reserved characters stay encoded (3 each).
    const id = `${':'.repeat(100)}${'ü'.repeat(55)}${'a'.repeat(100)}`;
    assert.equal(id.length, 255);
    const created = await json('POST', '/products', { externalId: id, images: [{ url: images.url('/front.jpg') }] });
    assert.equal(created.status, 200);
    const path = `/products/${encodeURIComponent(id)}`;
    const fetched = await json('GET', path);
    assert.equal(fetched.status, 200, JSON.stringify(fetched.body));
    assert.equal(fetched.body.externalId, id);
    assert.equal((await json('DELETE', path)).status, 204);
    assert.equal((await json('DELETE', `/customers/${encodeURIComponent(id)}`)).status, 204);

    const tooLong = await json('GET', `/products/${'a'.repeat(256)}`);
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.body.details[0].path, 'externalId');
    const wayTooLong = await json('GET', `/products/${'a'.repeat(2000)}`);
    assert.deepEqual(wayTooLong, {
      status: 414,
      body: { code: 'URI_TOO_LONG', message: 'A path segment of the URL is too long.', status: 414 },
    });
  });

  test('concurrent POST /products of one new product: every request answered 200, one product', async () => {
    // On PostgreSQL all of them may insert it at once; all but one then run again as updates (db/unique-race.ts).
    const fresh = await ctx.newAccount();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        json(
          'POST',
          '/products',
          { externalId: 'race', title: `tee ${n}`, images: [{ url: images.url('/front.jpg') }] },
          fresh.apiKey,
        ),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(6).fill(200),
      JSON.stringify(results.map((r) => r.body)),
    );
    const rows = await ctx.deps.db.selectFrom('products').select('id').where('account_id', '=', fresh.id).execute();
    assert.equal(rows.length, 1);
    assert.equal((await json('GET', '/products/race', undefined, fresh.apiKey)).body.images.length, 1);
  });

  test('the NUL character (U+0000) is refused in ids and fields alike, on every database', async () => {
    // PostgreSQL cannot store it in text: such an id answered 500 there before the inputs were checked for it.
    const nulPath = { status: 400, code: 'VALIDATION_FAILED', path: 'externalId' };
    for (const [method, url] of [
      ['GET', '/products/a%00b'],
      ['DELETE', '/products/%00'],
    ] as const) {
      const res = await json(method, url);
      assert.deepEqual({ status: res.status, code: res.body.code, path: res.body.details[0].path }, nulPath, url);
    }
    const erase = await json('DELETE', '/customers/%00');
    assert.deepEqual([erase.status, erase.body.details[0].path], [400, 'customerId']);
    const titled = await json('POST', '/products', { externalId: 'nul', title: 'a\u0000b', images: [] });
    assert.deepEqual([titled.status, titled.body.details[0].path], [400, 'title']);
    assert.equal((await json('GET', '/products/nul')).status, 404, 'nothing was stored');
  });

  test('list: cursor pagination, limit bounds', async () => {
    const fresh = await ctx.newAccount();
    for (const id of ['a', 'b', 'c']) {
      clock.advance(1000);
      await json('POST', '/products', { externalId: id, images: [{ url: images.url('/front.jpg') }] }, fresh.apiKey);
    }
    const page1 = await json('GET', '/products?limit=2', undefined, fresh.apiKey);
    assert.equal(page1.body.count, 2);
    assert.equal(page1.body.hasMore, true);
    assert.deepEqual(
      page1.body.items.map((p: { externalId: string }) => p.externalId),
      ['a', 'b'],
    );
    const page2 = await json('GET', `/products?limit=2&cursor=${page1.body.nextCursor}`, undefined, fresh.apiKey);
    assert.deepEqual(
      {
        ids: page2.body.items.map((p: { externalId: string }) => p.externalId),
        more: page2.body.hasMore,
        next: page2.body.nextCursor,
      },
      { ids: ['c'], more: false, next: null },
    );
    const all = await json('GET', '/products', undefined, fresh.apiKey);
    assert.equal(all.body.count, 3);
    for (const bad of ['limit=0', 'limit=201', 'limit=abc', 'cursor=%%%']) {
      const res = await json('GET', `/products?${bad}`, undefined, fresh.apiKey);
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
    }
  });

  test('delete → 204, then 404; unknown → 404', async () => {
    await json('POST', '/products', { externalId: 'del', images: [{ url: images.url('/front.jpg') }] });
    const res = await ctx.app.inject({
      method: 'DELETE',
      url: '/tryon/v1/products/del',
      headers: { 'x-api-key': ctx.apiKey },
    });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.equal((await json('GET', '/products/del')).body.code, 'PRODUCT_NOT_FOUND');
    assert.equal((await json('DELETE', '/products/del')).status, 404);
  });

  test('tenant isolation: another account can never read, list, change or delete these products', async () => {
    const other = await ctx.newAccount();
    assert.equal((await json('GET', '/products/p1', undefined, other.apiKey)).status, 404);
    assert.equal((await json('GET', '/products', undefined, other.apiKey)).body.count, 0);
    assert.equal((await json('DELETE', '/products/p1', undefined, other.apiKey)).status, 404);
    // Upserting the same externalId creates the other account's own product and leaves ours untouched.
    const mine = await json('GET', '/products/p1');
    const theirs = await json(
      'POST',
      '/products',
      { externalId: 'p1', title: 'theirs', images: [{ url: images.url('/front.jpg') }] },
      other.apiKey,
    );
    assert.equal(theirs.body.title, 'theirs');
    assert.deepEqual(await json('GET', '/products/p1'), mine);
  });

  test('SSRF: with private fetching off, loopback and private URLs are refused', async () => {
    const strict = await createTestContext();
    try {
      const res = await strict.app.inject({
        method: 'POST',
        url: '/tryon/v1/products',
        headers: { 'x-api-key': strict.apiKey, 'content-type': 'application/json' },
        payload: JSON.stringify({ externalId: 'x', images: [{ url: images.url('/front.jpg') }] }),
      });
      assert.equal(res.json().code, 'PRODUCT_IMAGE_FETCH_FAILED');
      assert.match(res.json().message, /not a public address/);
    } finally {
      await strict.close();
    }
  });
});

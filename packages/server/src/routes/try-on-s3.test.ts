/**
 * One whole mock try-on through the API on a server whose blobs are in an S3 bucket (s3rver): every URL handed to the
 * client is a presigned GET on the bucket, fetched here with plain `fetch`, as a shop's browser would.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { readFixture } from '../testing/fixtures.js';
import { type S3TestServer, startS3Server } from '../testing/s3-server.js';
import { createTestContext, fixtureTryOn, postTryOn, type TestContext, uploadPhoto } from '../testing/test-server.js';

describe('try-on with the S3 blob store', () => {
  let s3: S3TestServer;
  let ctx: TestContext;
  before(async () => {
    s3 = await startS3Server();
    ctx = await createTestContext({ env: s3.env, listen: true });
  });
  after(async () => {
    await ctx?.close();
    await s3?.close();
  });

  /** A URL the API handed out must point at the bucket, presigned, and not at this server's files route. */
  const assertPresigned = (url: string) => {
    assert.ok(url.startsWith(`${s3.endpoint}/${s3.bucket}/`), url);
    assert.match(url, /[?&]X-Amz-Signature=[0-9a-f]{64}/);
    assert.match(url, /[?&]X-Amz-Expires=\d+/);
  };
  const objectBytes = async (key: string) => {
    const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  };
  const get = async (url: string) => {
    const res = await ctx.app.inject({ url: `/tryon/v1${url}`, headers: { 'x-api-key': ctx.apiKey } });
    return { status: res.statusCode, body: res.json() };
  };

  test('upload, try-on, poll, fetch the result from the bucket, then erase the customer', async () => {
    const upload = await uploadPhoto(ctx, readFixture('person', 'woman-2.png'), { externalUserId: 'shopper-s3' });
    assert.equal(upload.status, 200);
    assertPresigned(upload.body.imageUrl);
    const photo = await fetch(upload.body.imageUrl);
    assert.equal(photo.status, 200);
    assert.equal(photo.headers.get('content-type'), 'image/jpeg');
    const photoBytes = Buffer.from(await photo.arrayBuffer());

    const [data, files] = fixtureTryOn({ title: 'mock', externalId: 'tee-s3' });
    const sync = await postTryOn(
      ctx,
      { ...data, person: { image: { source: { id: upload.body.imageId } } }, externalUserId: 'shopper-s3' },
      { g: files.g },
      { sync: true },
    );
    assert.equal(sync.statusCode, 200, sync.body);
    const done = sync.json();
    assert.equal(done.status, 'COMPLETED');
    assertPresigned(done.resultImageUrl);

    // Polled over real HTTP: GET /generations/:id is answered by the fast path in front of Fastify (http/poll-fast-path.ts).
    const servedBefore = ctx.app.pollFastPath.served;
    const poll = await fetch(`${ctx.baseUrl}/generations/${done.generationId}`, {
      headers: { 'x-api-key': ctx.apiKey },
    });
    const polled = { status: poll.status, body: await poll.json() };
    assert.equal(polled.status, 200);
    assert.equal(ctx.app.pollFastPath.served, servedBefore + 1, 'the fast path answered');
    assert.equal(polled.body.status, 'COMPLETED');
    assertPresigned(polled.body.resultImageUrl);
    const result = await fetch(polled.body.resultImageUrl);
    assert.equal(result.status, 200);
    const resultBytes = Buffer.from(await result.arrayBuffer());
    const row = (await ctx.deps.generations.find(done.generationId))!;
    assert.ok(resultBytes.equals(await objectBytes(row.result_blob_key!)), 'the bytes the worker stored');
    assert.ok(resultBytes.equals(photoBytes), 'the mock engine returns the person photo unchanged');

    const product = await get('/products/tee-s3');
    assertPresigned(product.body.images[0].sourceUrl);
    assert.equal((await fetch(product.body.images[0].sourceUrl)).status, 200);

    assert.equal(existsSync(join(ctx.dataDir, 'blobs')), false, 'nothing stored on local disk');
    const keys = await s3.listKeys();
    for (const key of [row.result_blob_key!, row.person_blob_key!]) assert.ok(keys.includes(key), key);

    const erase = await ctx.app.inject({
      method: 'DELETE',
      url: '/tryon/v1/customers/shopper-s3',
      headers: { 'x-api-key': ctx.apiKey },
    });
    assert.equal(erase.statusCode, 204);
    assert.equal((await fetch(polled.body.resultImageUrl)).status, 404, 'an erased result is gone from the bucket');
    assert.equal((await fetch(upload.body.imageUrl)).status, 404, 'and so is the photo');
    assert.ok(!(await s3.listKeys()).includes(row.result_blob_key!));
  });

  test('/readyz checks the bucket: ready with it, 503 when the bucket is missing', async () => {
    const res = await ctx.app.inject({ url: '/readyz' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().checks.blobStore, 'ok');
    const lost = await createTestContext({ workers: false, env: { ...s3.env, S3_BUCKET: 'no-such-bucket' } });
    try {
      const down = await lost.app.inject({ url: '/readyz' });
      assert.equal(down.statusCode, 503);
      assert.equal(down.json().checks.blobStore, 'fail');
    } finally {
      await lost.close();
    }
  });
});

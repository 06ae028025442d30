import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ApiError } from '../errors.js';
import { ManualClock, systemClock } from '../ports/clock.js';
import { Secret } from '../secret.js';
import { blobFiles } from '../testing/blob-audit.js';
import { blobStoreContract, type FetchedUrl } from '../testing/blob-store-contract.js';
import { freePort } from '../testing/processes.js';
import { type S3TestServer, startS3Server } from '../testing/s3-server.js';
import { createTestContext } from '../testing/test-server.js';
import { S3BlobStore } from './s3-blob-store.js';

/** A client's plain GET of a URL, no API key, no SDK. */
async function plainFetch(url: string): Promise<FetchedUrl> {
  const res = await fetch(url);
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// What every blob store does, through the server's wiring (createDeps picks the S3 store from the S3_* variables).
blobStoreContract('S3 (s3rver), presigned URLs served by the bucket', async () => {
  const s3 = await startS3Server();
  const clock = new ManualClock(new Date());
  const ctx = await createTestContext({ clock, workers: false, env: s3.env });
  return {
    store: ctx.deps.blobs,
    clock,
    // Local files count too: with S3 configured nothing may be written under DATA_DIR/blobs.
    storedKeys: async () => [
      ...(await s3.listKeys()),
      ...blobFiles(join(ctx.dataDir, 'blobs')).map((f) => `DATA_DIR/blobs/${f}`),
    ],
    fetchSigned: plainFetch,
    close: async () => {
      await ctx.close();
      await s3.close();
    },
  };
});

describe('S3 blob store: what only S3 does', () => {
  let s3: S3TestServer;
  before(async () => {
    s3 = await startS3Server();
  });
  after(() => s3.close());

  test('a presigned URL fetches the bytes with plain fetch, and stops working once it expires', async () => {
    const store = S3BlobStore.fromConfig(s3.config, systemClock, { urlStepS: 1 });
    await store.put('acc_1/results/gen_1.jpg', Buffer.from('result bytes'), 'image/jpeg');
    const url = await store.signedUrl('acc_1/results/gen_1.jpg', 2);
    assert.ok(url.startsWith(`${s3.endpoint}/${s3.bucket}/acc_1/results/gen_1.jpg?`), url);
    const expiresAt = (() => {
      const q = new URL(url).searchParams;
      const d = q.get('X-Amz-Date')!.replace(/(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z/, '$1-$2-$3T$4:$5:$6Z');
      return Date.parse(d) + Number(q.get('X-Amz-Expires')) * 1000;
    })();
    assert.ok(expiresAt - Date.now() <= 3_000, 'ttl 2 s, rounded up to the next second');

    const fresh = await plainFetch(url);
    assert.equal(fresh.status, 200);
    assert.equal(fresh.contentType, 'image/jpeg');
    assert.equal(fresh.body.toString(), 'result bytes');

    await sleep(expiresAt - Date.now() + 1_100);
    const expired = await plainFetch(url);
    assert.equal(expired.status, 403);
    assert.match(expired.body.toString(), /Request has expired/);
    store.close();
  });

  test('two API replicas hand out the same URL for a blob within a minute (a browser polling through either caches it)', async () => {
    const clock = new ManualClock('2026-12-07T10:00:05.000Z');
    const replicas = [S3BlobStore.fromConfig(s3.config, clock), S3BlobStore.fromConfig(s3.config, clock)];
    const first = await replicas[0]!.signedUrl('acc_1/results/gen_2.jpg', 3600);
    clock.advance(40_000);
    assert.equal(await replicas[1]!.signedUrl('acc_1/results/gen_2.jpg', 3600), first);
    assert.match(first, /X-Amz-Date=20261207T100000Z&X-Amz-Expires=3660&/, 'signed at the minute, expiring at one');
    for (const store of replicas) store.close();
  });

  test('a presigned URL carries the access key id, as SigV4 requires, and never the secret key', async () => {
    // Presigning is local (no request): any credentials show what the URL holds.
    const secret = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
    const config = { ...s3.config, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: new Secret(secret) };
    const store = S3BlobStore.fromConfig(config, systemClock);
    const url = await store.signedUrl('acc_1/images/img_1.jpg', 60);
    assert.match(url, /X-Amz-Credential=AKIDEXAMPLE%2F/);
    assert.match(url, /X-Amz-Signature=[0-9a-f]{64}/);
    assert.ok(!decodeURIComponent(url).includes(secret));
    store.close();
  });

  test('an object uploaded by the store is an ordinary object: its content type and cache header are on it', async () => {
    const store = S3BlobStore.fromConfig(s3.config, systemClock);
    await store.put('acc_1/products/pim_1.png', Buffer.from('png'), 'image/png');
    const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'acc_1/products/pim_1.png' }));
    assert.equal(object.ContentType, 'image/png');
    assert.equal(object.CacheControl, 'private, max-age=300');
    assert.equal(Buffer.from(await object.Body!.transformToByteArray()).toString(), 'png');
    store.close();
  });

  test('an unreachable store: uploads end in 503 STORAGE_UNAVAILABLE, reads throw (not "missing"), ping throws', async () => {
    const port = await freePort(); // nothing listens there
    const config = { ...s3.config, endpoint: `http://127.0.0.1:${port}` };
    const store = S3BlobStore.fromConfig(config, systemClock, { maxAttempts: 1 });
    await assert.rejects(store.put('acc_1/images/a.jpg', Buffer.from('x'), 'image/jpeg'), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 'STORAGE_UNAVAILABLE');
      assert.equal(err.status, 503);
      assert.doesNotMatch(err.message, /127\.0\.0\.1|ECONNREFUSED/, 'no endpoint or errno for the client');
      assert.ok(err.cause, 'the SDK error kept for the log');
      return true;
    });
    await assert.rejects(store.get('acc_1/images/a.jpg'), (err: unknown) => !(err instanceof ApiError));
    await assert.rejects(store.ping());
    store.close();
  });

  test('ping fails for a bucket that does not exist and for an access key the server does not know', async () => {
    const noBucket = S3BlobStore.fromConfig({ ...s3.config, bucket: 'no-such-bucket' }, systemClock);
    await assert.rejects(noBucket.ping());
    await assert.rejects(
      noBucket.put('acc_1/images/a.jpg', Buffer.from('x'), 'image/jpeg'),
      /STORAGE_UNAVAILABLE|store/,
    );
    noBucket.close();
    const unknownKey = S3BlobStore.fromConfig({ ...s3.config, accessKeyId: 'NOT-A-KEY' }, systemClock);
    await assert.rejects(unknownKey.ping());
    unknownKey.close();
    const good = S3BlobStore.fromConfig(s3.config, systemClock);
    await good.ping();
    good.close();
  });

  test('with S3 configured the server writes no blob under DATA_DIR and serves no files route', async () => {
    const ctx = await createTestContext({ workers: false, env: s3.env });
    try {
      assert.equal(ctx.deps.urlSigner, null);
      await ctx.deps.blobs.put('acc_1/images/x.jpg', Buffer.from('x'), 'image/jpeg');
      assert.equal(existsSync(join(ctx.dataDir, 'blobs')), false);
      assert.ok((await s3.listKeys()).includes('acc_1/images/x.jpg'));
      const res = await ctx.app.inject({ url: '/tryon/v1/files/acc_1/images/x.jpg?exp=9999999999&sig=x' });
      assert.equal(res.statusCode, 404);
      assert.deepEqual((await ctx.deps.recoverAbandonedWork()).tempFiles, 0);
    } finally {
      await ctx.close();
    }
  });
});

/**
 * What every BlobStore must do, as tests run against each adapter (local-blob-store.test.ts, s3-blob-store.test.ts):
 * the same tests, each adapter bringing its storage and the way a client fetches its signed URLs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BlobStore } from '../ports/blob-store.js';
import type { ManualClock } from '../ports/clock.js';

export interface FetchedUrl {
  status: number;
  contentType: string | null;
  body: Buffer;
}

export interface BlobStoreUnderTest {
  store: BlobStore;
  /** The store's clock; it starts at the real time (a bucket checks presigned URLs against its own clock). */
  clock: ManualClock;
  /** Every key the storage holds (files on disk, objects in the bucket), temporary files included. */
  storedKeys(): Promise<string[]>;
  /** GETs a signed URL as a client does, without an API key, at the real time. */
  fetchSigned(url: string): Promise<FetchedUrl>;
  close(): Promise<void>;
}

const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);

export function blobStoreContract(name: string, open: () => Promise<BlobStoreUnderTest>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let t: BlobStoreUnderTest;
    let n = 0;
    /** A key of its own for each test (the storage is shared by the tests of one adapter). */
    const freshKey = (kind = 'images', ext = 'jpg') => `acc_contract/${kind}/blob_${++n}.${ext}`;
    before(async () => {
      t = await open();
    });
    after(() => t.close());

    test('put then get returns the bytes and the content type, and stores that one blob and nothing else', async () => {
      const key = freshKey('results', 'png');
      const before = await t.storedKeys();
      await t.store.put(key, jpeg, 'image/png');
      assert.deepEqual(await t.store.get(key), { data: jpeg, contentType: 'image/png' });
      const added = (await t.storedKeys()).filter((k) => !before.includes(k));
      assert.deepEqual(added, [key], 'no temporary file or other object left beside it');
    });

    test('put on an existing key replaces the blob (a retried job writes its result to the same key)', async () => {
      const key = freshKey();
      await t.store.put(key, Buffer.from('first'), 'image/jpeg');
      await t.store.put(key, Buffer.from('second'), 'image/jpeg');
      assert.deepEqual((await t.store.get(key))?.data, Buffer.from('second'));
    });

    test('get of a key never stored is null', async () => {
      assert.equal(await t.store.get(freshKey()), null);
    });

    test('delete removes the blob and its URL; deleting it again, or a key never stored, is no error', async () => {
      const key = freshKey();
      await t.store.put(key, jpeg, 'image/jpeg');
      const url = await t.store.signedUrl(key, 600);
      await t.store.delete(key);
      assert.equal(await t.store.get(key), null);
      assert.ok(!(await t.storedKeys()).includes(key));
      assert.equal(
        (await t.fetchSigned(url)).status,
        404,
        'a deleted blob (GDPR erase, retention) is gone for clients',
      );
      await t.store.delete(key);
      await t.store.delete(freshKey());
    });

    test('keys outside the common shape are refused and nothing is stored', async () => {
      const before = await t.storedKeys();
      for (const key of ['.tmp/x/y.jpg', '.hidden.jpg', 'a/../../b.jpg', '/abs.jpg', 'a//b.jpg', 'a/b c.jpg', '']) {
        await assert.rejects(t.store.put(key, jpeg, 'image/jpeg'), /invalid blob key/, `put ${key}`);
        await assert.rejects(async () => t.store.get(key), /invalid blob key/, `get ${key}`);
      }
      assert.deepEqual(await t.storedKeys(), before);
    });

    test('a signed URL serves the bytes and content type to a client without an API key', async () => {
      const key = freshKey();
      await t.store.put(key, jpeg, 'image/jpeg');
      const fetched = await t.fetchSigned(await t.store.signedUrl(key, 600));
      assert.equal(fetched.status, 200);
      assert.equal(fetched.contentType, 'image/jpeg');
      assert.deepEqual(fetched.body, jpeg);
    });

    test('polling within a minute gets the same URL (a browser caches the image); a minute later a new one', async () => {
      const key = freshKey();
      const start = t.clock.now().getTime();
      t.clock.advance(60_000 - (start % 60_000) + 1_000); // 1 s into a minute
      const first = await t.store.signedUrl(key, 3600);
      t.clock.advance(30_000);
      assert.equal(await t.store.signedUrl(key, 3600), first);
      t.clock.advance(60_000);
      assert.notEqual(await t.store.signedUrl(key, 3600), first);
      assert.notEqual(await t.store.signedUrl(freshKey(), 3600), first, 'another key, another URL');
      t.clock.advance(start - t.clock.now().getTime());
    });

    test('a URL signed longer ago than its lifetime is refused; one signed now is served', async () => {
      const key = freshKey();
      await t.store.put(key, jpeg, 'image/jpeg');
      t.clock.advance(-2 * 3600_000);
      const old = await t.store.signedUrl(key, 3600);
      t.clock.advance(2 * 3600_000);
      assert.equal((await t.fetchSigned(old)).status, 403);
      assert.equal((await t.fetchSigned(await t.store.signedUrl(key, 3600))).status, 200);
    });

    test('ping succeeds on working storage', async () => {
      await t.store.ping();
    });
  });
}

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiError } from '../errors.js';
import { ManualClock, systemClock } from '../ports/clock.js';
import { isProcessGone, thisProcessId } from '../process-identity.js';
import { blobFiles } from '../testing/blob-audit.js';
import { blobStoreContract } from '../testing/blob-store-contract.js';
import { createTestContext, fetchSigned } from '../testing/test-server.js';
import { LocalBlobStore, storageWriteError, TEMP_DIR } from './local-blob-store.js';
import { UrlSigner } from './url-signer.js';

// What every blob store does, through the server's wiring (createDeps) and its files route.
blobStoreContract('local disk, URLs served by /tryon/v1/files', async () => {
  const clock = new ManualClock(new Date());
  const ctx = await createTestContext({ clock, workers: false, localBlobs: true });
  return {
    store: ctx.deps.blobs,
    clock,
    storedKeys: async () => blobFiles(join(ctx.dataDir, 'blobs')),
    fetchSigned: async (url) => {
      const res = await fetchSigned(ctx, url);
      const contentType = res.headers['content-type'];
      return { status: res.statusCode, contentType: contentType ? String(contentType) : null, body: res.rawPayload };
    },
    close: () => ctx.close(),
  };
});

// What only the local disk does: temporary files, errno errors, the sweep of dead processes' writes.
let root: string;
let store: LocalBlobStore;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'fitroom-blobs-'));
  store = new LocalBlobStore(root, new UrlSigner('secret', 'http://x/files'), systemClock);
});
after(() => rmSync(root, { recursive: true, force: true }));

test('put writes through a temporary file in a folder of its own process', async () => {
  await store.put('acc_1/images/a.jpg', Buffer.from('abc'));
  assert.deepEqual(blobFiles(root), ['acc_1/images/a.jpg'], 'the temporary file was renamed into place');
  assert.deepEqual(readdirSync(join(root, TEMP_DIR)), [thisProcessId()], 'one temporary folder: this process’s');
});

test('a write that fails after its temporary file was written removes that file', async () => {
  // The destination is a non-empty folder: the rename fails after the data was written.
  mkdirSync(join(root, 'acc_1/results/g.png'), { recursive: true });
  writeFileSync(join(root, 'acc_1/results/g.png/x'), 'x');
  await assert.rejects(store.put('acc_1/results/g.png', Buffer.alloc(50_000)), (err: Error) => {
    assert.ok(!(err instanceof ApiError), 'not a storage refusal: passed on as it is');
    return true;
  });
  assert.deepEqual(
    blobFiles(root).filter((f) => f.startsWith(`${TEMP_DIR}/`)),
    [],
  );
  rmSync(join(root, 'acc_1/results'), { recursive: true });
});

test('errno errors of a full or read-only disk become 503 STORAGE_UNAVAILABLE, the errno kept as the cause', () => {
  for (const code of ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EIO']) {
    const cause = Object.assign(new Error(`${code}: /data/blobs/x`), { code });
    const err = storageWriteError(cause);
    assert.ok(err instanceof ApiError, code);
    assert.equal(err.code, 'STORAGE_UNAVAILABLE');
    assert.equal(err.status, 503);
    assert.doesNotMatch(err.message, /\/data|ENOSPC|EROFS/, 'no path or errno for the client');
    assert.equal(err.cause, cause);
  }
  const other = Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  assert.equal(storageWriteError(other), other);
});

test("removeAbandonedTemp removes a dead process's unfinished writes and nothing of a live one", async () => {
  const host = encodeURIComponent(hostname());
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.once('exit', r));
  const dead = `${host}:${child.pid}:r0123`;
  const alive = `${host}:${process.ppid}:r0123`; // the test runner: alive, and nothing tells it apart
  for (const folder of [dead, alive]) {
    mkdirSync(join(root, TEMP_DIR, folder), { recursive: true });
    writeFileSync(join(root, TEMP_DIR, folder, 'half.tmp'), 'half');
  }
  writeFileSync(join(root, TEMP_DIR, thisProcessId(), 'mine.tmp'), 'in progress');

  assert.equal(await store.removeAbandonedTemp(isProcessGone), 1);
  assert.deepEqual(readdirSync(join(root, TEMP_DIR)).sort(), [alive, thisProcessId()].sort());
  assert.equal(await store.removeAbandonedTemp(isProcessGone), 0);
});

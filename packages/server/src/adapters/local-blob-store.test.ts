import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { systemClock } from '../ports/clock.js';
import { isProcessGone, thisProcessId } from '../process-identity.js';
import { blobFiles } from '../testing/blob-audit.js';
import { LocalBlobStore, TEMP_DIR } from './local-blob-store.js';
import { UrlSigner } from './url-signer.js';

let root: string;
let store: LocalBlobStore;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'fitroom-blobs-'));
  store = new LocalBlobStore(root, new UrlSigner('secret', 'http://x/files'), systemClock);
});
after(() => rmSync(root, { recursive: true, force: true }));

test('put writes through a temporary file of its own process and leaves only the blob', async () => {
  await store.put('acc_1/images/a.jpg', Buffer.from('abc'));
  assert.deepEqual((await store.get('acc_1/images/a.jpg'))?.data, Buffer.from('abc'));
  assert.deepEqual(
    blobFiles(root).filter((f) => f !== 'acc_1/images/a.jpg'),
    [],
  );
  assert.deepEqual(readdirSync(join(root, TEMP_DIR)), [thisProcessId()], 'one temporary folder: this process’s');
});

test('keys cannot reach the temporary folder or leave the root', async () => {
  for (const key of [`${TEMP_DIR}/x/y.jpg`, '.hidden.jpg', 'a/../../b.jpg', '/abs.jpg', 'a//b.jpg']) {
    await assert.rejects(store.put(key, Buffer.from('x')), /invalid blob key/, key);
  }
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

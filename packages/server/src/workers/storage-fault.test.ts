/**
 * Fault test: the blob directory fills up, or turns read-only, while a try-on's result is being written.
 * The generation fails with errorCode STORAGE_UNAVAILABLE and its credit comes back; the half-written file is gone;
 * the server keeps answering (/healthz, polls, credits; an upload gets 503 STORAGE_UNAVAILABLE in the envelope, and
 * /readyz reports the blob store); once the space (or write access) returns, the next try-on completes.
 *
 * The faults are real where the sandbox allows it: a 16 MB tmpfs is mounted on DATA_DIR/blobs, filled with a file
 * that leaves 16 KB free (the ~100 KB result is then cut short by ENOSPC part-way: a genuinely half-written file),
 * then remounted read-only (EROFS). Tests run as root, for whom chmod makes nothing read-only, hence the mount. Where
 * mounting is not permitted, the same errno errors are injected through a thin wrapper around the real blob store
 * (a small fake of the port, architecture.md), which throws what the store throws for them; the half-written file
 * cannot happen then, so that check passes trivially on that path (the diagnostic line says which path ran).
 *
 * SQLite only (not in npm test's PostgreSQL pass): the fault is in the local blob directory, whatever the database.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TryOnEngine, TryOnInput } from '@fitroom/engine';
import { storageWriteError } from '../adapters/local-blob-store.js';
import { parseConfig } from '../config.js';
import type { BlobStore } from '../ports/blob-store.js';
import { createServer } from '../server.js';
import { auditBlobs, blobFiles } from '../testing/blob-audit.js';
import { readFixture } from '../testing/fixtures.js';
import { fetchSigned, fixtureTryOn, postTryOn, uploadPhoto } from '../testing/test-server.js';

/** Returns the person photo as the result; a held try-on waits inside the engine until released. */
class GateEngine implements TryOnEngine {
  readonly name = 'gate';
  private gate: Promise<void> | null = null;
  private open = () => {};
  private entered: (() => void) | null = null;
  /** The next try-on stops inside the engine; resolves once it is there. */
  hold(): Promise<void> {
    this.gate = new Promise((r) => {
      this.open = r;
    });
    return new Promise((r) => {
      this.entered = r;
    });
  }
  release(): void {
    this.open();
    this.gate = null;
  }
  async tryOn(input: TryOnInput) {
    this.entered?.();
    this.entered = null;
    if (this.gate) await this.gate;
    return { image: input.person, contentType: 'image/jpeg' as const, width: 0, height: 0 };
  }
  async close() {}
}

type Fault = 'full' | 'read-only';

interface StorageFaults {
  mechanism: string;
  /** What the server's services use as their blob store (the real one, or the injecting wrapper around it). */
  wrap?: (store: BlobStore) => BlobStore;
  inject(fault: Fault): void;
  restore(): void;
  /** Files the fault itself put under blobs/ (not the server's). */
  own: string[];
  dispose(): void;
}

const FREE_LEFT = 16 * 1024;

function tmpfsFaults(blobs: string): StorageFaults | null {
  mkdirSync(blobs, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', blobs], { stdio: 'pipe' });
  } catch {
    return null;
  }
  const filler = join(blobs, 'filler.bin');
  let current: Fault | null = null;
  return {
    mechanism: 'a real tmpfs on DATA_DIR/blobs (filled: ENOSPC; remounted read-only: EROFS)',
    own: [],
    inject(fault) {
      current = fault;
      if (fault === 'full') {
        const fs = statfsSync(blobs);
        writeFileSync(filler, Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - FREE_LEFT)));
        this.own = ['filler.bin'];
      } else {
        execFileSync('mount', ['-o', 'remount,ro', blobs], { stdio: 'pipe' });
      }
    },
    restore() {
      if (current === 'full') rmSync(filler, { force: true });
      else if (current === 'read-only') execFileSync('mount', ['-o', 'remount,rw', blobs], { stdio: 'pipe' });
      this.own = [];
      current = null;
    },
    dispose() {
      execFileSync('umount', [blobs], { stdio: 'pipe' });
    },
  };
}

/** Used only where no file system can be mounted: the errno errors a full or read-only disk gives, injected. */
function injectedFaults(): StorageFaults {
  let errno: { code: string; errno: number } | null = null;
  const refuse = () => {
    if (!errno) return;
    const err = Object.assign(new Error(`${errno.code}: injected by the test, write`), { ...errno, syscall: 'write' });
    throw storageWriteError(err);
  };
  return {
    mechanism:
      'injected errno errors (ENOSPC, EROFS) through a wrapper of the real blob store: mounting is not permitted here',
    own: [],
    wrap: (store) => ({
      put: async (key, data, contentType) => {
        refuse();
        return store.put(key, data, contentType);
      },
      get: (key) => store.get(key),
      delete: (key) => store.delete(key),
      signedUrl: (key, ttl) => store.signedUrl(key, ttl),
      ping: async () => {
        refuse();
        return store.ping();
      },
    }),
    inject(fault) {
      errno = fault === 'full' ? { code: 'ENOSPC', errno: -28 } : { code: 'EROFS', errno: -30 };
    },
    restore() {
      errno = null;
    },
    dispose() {},
  };
}

test('a result write on a full or read-only blob directory fails the generation with STORAGE_UNAVAILABLE, refunded; the server recovers', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fitroom-storage-'));
  const blobRoot = join(dataDir, 'blobs');
  const faults = tmpfsFaults(blobRoot) ?? injectedFaults();
  t.diagnostic(`storage faults: ${faults.mechanism}`);
  const gate = new GateEngine();
  const config = parseConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    DEMO_CREDITS: '0',
    VISION: 'off',
    WORKER_CONCURRENCY: '1',
    ENGINE: 'mock',
  });
  const server = await createServer(config, {
    logger: false,
    extraEngines: new Map([['gate', gate]]),
    wrapBlobs: faults.wrap,
  });
  try {
    const { deps, app } = server;
    const account = await deps.accounts.create({ name: 't', credits: 10 });
    await deps.accounts.update(account.id, { engine: 'gate' });
    const ctx = { app, apiKey: account.apiKey };
    const headers = { 'x-api-key': account.apiKey };
    const get = (url: string) => app.inject({ url, headers });
    const balance = async () => (await get('/tryon/v1/account/credits')).json().creditBalance as number;
    const tryOn = (n: number) => postTryOn(ctx, ...fixtureTryOn({ externalId: `tee-${n}`, title: 'Tee' }));

    let n = 0;
    for (const fault of ['full', 'read-only'] as const) {
      await t.test(fault, async () => {
        const credits = await balance();
        // The try-on is accepted (its photos stored) and stops inside the engine; the fault comes now, so it hits the
        // result write.
        const entered = gate.hold();
        const accepted = await tryOn(n++);
        assert.equal(accepted.statusCode, 200, accepted.body);
        const { generationId } = accepted.json();
        await entered;
        faults.inject(fault);
        gate.release();

        await deps.generations.waitForTerminal(generationId, 60_000);
        const polled = await get(`/tryon/v1/generations/${generationId}`);
        assert.equal(polled.statusCode, 200);
        assert.equal(polled.json().status, 'FAILED');
        assert.equal(polled.json().errorCode, 'STORAGE_UNAVAILABLE');
        assert.match(polled.json().errorMessage, /could not store the result/);
        assert.equal(await balance(), credits, 'the credit is refunded');
        const ledger = await deps.db
          .selectFrom('credit_ledger')
          .select('reason')
          .where('generation_id', '=', generationId)
          .orderBy('reason')
          .execute();
        assert.deepEqual(
          ledger.map((l) => l.reason),
          ['generation_debit', 'generation_refund'],
        );

        // Nothing half-written left behind: every file is the fault's own or referenced by a row.
        const { orphans } = await auditBlobs(deps.db, blobRoot);
        assert.deepEqual(
          orphans.filter((f) => !faults.own.includes(f)),
          [],
        );
        assert.deepEqual(
          blobFiles(blobRoot).filter((f) => f.startsWith('.tmp/')),
          [],
        );

        // Still serving: liveness, reads, and a write that needs the disk answers in the envelope, not a 500.
        assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
        assert.equal((await get('/tryon/v1/account/credits')).statusCode, 200);
        const upload = await uploadPhoto(ctx, readFixture('person', 'man-1.png'));
        assert.equal(upload.status, 503);
        assert.deepEqual(Object.keys(upload.body).sort(), ['code', 'message', 'status']);
        assert.equal(upload.body.code, 'STORAGE_UNAVAILABLE');
        if (fault === 'read-only') {
          // (A disk with 16 KB left still takes the readiness probe's two bytes.)
          const ready = await app.inject({ url: '/readyz' });
          assert.equal(ready.statusCode, 503);
          assert.equal(ready.json().checks.blobStore, 'fail');
        }

        // The space (or write access) returns: the next try-on succeeds and its result can be fetched.
        faults.restore();
        assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
        const next = await tryOn(n++);
        assert.equal(next.statusCode, 200, next.body);
        await deps.generations.waitForTerminal(next.json().generationId, 60_000);
        const done = (await get(`/tryon/v1/generations/${next.json().generationId}`)).json();
        assert.equal(done.status, 'COMPLETED', JSON.stringify(done));
        assert.equal((await fetchSigned(ctx, done.resultImageUrl)).statusCode, 200);
        assert.equal(await balance(), credits - 1);
      });
    }
    assert.deepEqual(await auditBlobs(deps.db, blobRoot), { orphans: [], dangling: [] });
  } finally {
    gate.release();
    await server.close();
    faults.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

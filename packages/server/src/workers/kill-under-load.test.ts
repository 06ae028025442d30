/**
 * Fault test: the server is killed (SIGKILL) while 20 try-ons run on the real composite engine, then started again on
 * the same DATA_DIR. Afterwards every generation is terminal, each was debited once and refunded only if it failed,
 * the balance adds up, and the blob directory holds no orphan (testing/blob-audit.ts defines it).
 *
 * The try-ons are accepted by a server without workers first, so that all 20 are queued when a server with
 * WORKER_CONCURRENCY=20 starts and claims them at once (PROCESSING); ENGINE_THREADS=1 runs them one after the other,
 * so the kill, which waits for the first results, finds some finished and the rest in flight. The lease is set to
 * 10 minutes: the restarted server must take the dead process's jobs back itself (it logs how many), or the test's
 * hang guard ends it with generations still PROCESSING.
 *
 * SQLite only (not in npm test's PostgreSQL pass): it starts server processes on a DATA_DIR and reads their SQLite
 * file; the PostgreSQL version belongs with issue 14's multi-process test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Db, openSqlite } from '../db/database.js';
import { auditBlobs } from '../testing/blob-audit.js';
import { readFixture } from '../testing/fixtures.js';
import { freePort, startProcess } from '../testing/processes.js';

const cli = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const TRY_ONS = 20;
const CREDITS = 25;

const statusCounts = async (db: Db) => {
  const rows = await db.selectFrom('generations').select('status').execute();
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
};

/** Polls the database (not the API: no rate limit, no load on the server) until `done`; a hang guard, not a timing. */
async function until(db: Db, done: (counts: Record<string, number>) => boolean, what: string) {
  let counts: Record<string, number> = {};
  for (let i = 0; i < 1200; i++) {
    counts = await statusCounts(db);
    if (done(counts)) return counts;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what} never happened: ${JSON.stringify(counts)}`);
}

test('SIGKILL while 20 composite try-ons run: after a restart each is terminal, charged at most once, no orphaned blob', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fitroom-kill-'));
  const port = await freePort();
  const env = {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ENGINE: 'composite',
    ENGINE_THREADS: '1',
    WORKER_CONCURRENCY: String(TRY_ONS),
    JOB_LEASE_S: '600',
    DEMO_CREDITS: String(CREDITS),
    LOG_LEVEL: 'warn',
  };
  const db = openSqlite(join(dataDir, 'fitroom.sqlite'));
  // The accepting server needs no vision models (uploads get the centred crop): it only stores and queues.
  let server = await startProcess(cli, ['serve'], { ...env, WORKER_CONCURRENCY: '0', VISION: 'off' });
  try {
    const apiKey = /\n\s+(gk_[A-Za-z0-9_-]+)\n/.exec(server.output())?.[1];
    assert.ok(apiKey, 'the first start prints the demo key');
    const base = `http://127.0.0.1:${port}/tryon/v1`;
    const headers = { 'x-api-key': apiKey };

    // Two stored person photos (uploads), used by most try-ons; every fifth try-on sends its own person photo, so
    // person images stored by the try-on itself are on disk too. Product images are inline file parts: four products,
    // one garment photo (the engine analyses a garment once and caches it: the time goes to the 20 try-ons).
    const upload = async (name: string) => {
      const form = new FormData();
      form.append('file', new Blob([readFixture('person', name)]), name);
      const res = await fetch(`${base}/images/upload`, { method: 'POST', headers, body: form });
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as { imageId: string }).imageId;
    };
    const people = [await upload('woman-2.png'), await upload('man-1.png')];
    const garment = readFixture('garment', 'upper-4.jpg');
    const generationIds: string[] = [];
    for (let i = 0; i < TRY_ONS; i++) {
      const form = new FormData();
      const ownPhoto = i % 5 === 4;
      form.append(
        'data',
        JSON.stringify({
          products: [{ externalId: `tee-${i % 4}`, title: 'T-shirt', images: [{ source: { fileKey: 'garment' } }] }],
          person: { image: { source: ownPhoto ? { fileKey: 'person' } : { id: people[i % 2] } } },
          externalUserId: `shopper-${i % 3}`,
        }),
      );
      form.append('garment', new Blob([garment]), 'garment.jpg');
      if (ownPhoto) form.append('person', new Blob([readFixture('person', 'woman-2.png')]), 'person.png');
      const res = await fetch(`${base}/try-on`, { method: 'POST', headers, body: form });
      assert.equal(res.status, 200, await res.clone().text());
      generationIds.push(((await res.json()) as { generationId: string }).generationId);
    }

    await server.stop();
    server = await startProcess(cli, ['serve'], env);
    const atKill = await until(
      db,
      (c) => (c.COMPLETED ?? 0) >= 3 && (c.COMPLETED ?? 0) + (c.FAILED ?? 0) < TRY_ONS - 3,
      'a kill with results written and try-ons in flight',
    );
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    const running = await db.selectFrom('jobs').select('id').where('status', '=', 'running').execute();
    t.diagnostic(`at the kill: ${JSON.stringify(atKill)}, ${running.length} jobs running`);
    assert.ok(running.length > 0, 'jobs were left running by the killed process');

    server = await startProcess(cli, ['serve'], env);
    const final = await until(db, (c) => (c.COMPLETED ?? 0) + (c.FAILED ?? 0) === TRY_ONS, 'every try-on terminal');
    t.diagnostic(`after the restart: ${JSON.stringify(final)}`);
    await server.stop();

    // The restarted server took the dead process's jobs back, all of them, and said so in one line.
    assert.deepEqual(server.output().match(/took back \d+ try-on job\(s\)/g), [
      `took back ${running.length} try-on job(s)`,
    ]);

    const gens = await db.selectFrom('generations').select(['id', 'status', 'error_code']).execute();
    assert.deepEqual(gens.map((g) => g.id).sort(), [...generationIds].sort());
    // These photos all dress (the printed tee; the cardigan's V is refused as a blocky fill on both): a failure here
    // would be the crash's doing (an attempt lost, a job buried).
    assert.deepEqual(
      gens.filter((g) => g.status !== 'COMPLETED'),
      [],
    );

    // Charged at most once: one debit per generation, a refund only for a failed one, and the balance adds up.
    const ledger = await db.selectFrom('credit_ledger').selectAll().orderBy('created_at').orderBy('id').execute();
    for (const g of gens) {
      const rows = ledger.filter((l) => l.generation_id === g.id);
      assert.equal(rows.filter((l) => l.reason === 'generation_debit').length, 1, `${g.id} debited once`);
      assert.equal(
        rows.filter((l) => l.reason === 'generation_refund').length,
        g.status === 'FAILED' ? 1 : 0,
        `${g.id} refunded only if failed`,
      );
    }
    const account = await db.selectFrom('accounts').select('credit_balance').executeTakeFirstOrThrow();
    const failed = gens.filter((g) => g.status === 'FAILED').length;
    assert.equal(account.credit_balance, CREDITS - TRY_ONS + failed);
    assert.equal(
      ledger.reduce((sum, l) => sum + l.delta, 0),
      account.credit_balance,
    );

    const jobs = await db.selectFrom('jobs').select('status').execute();
    assert.deepEqual(new Set(jobs.map((j) => j.status)), new Set(['done']));

    // No orphaned blob (nothing on disk that no row refers to, the killed process's unfinished writes included), and
    // nothing referred to is missing.
    assert.deepEqual(await auditBlobs(db, join(dataDir, 'blobs')), { orphans: [], dangling: [] });
  } finally {
    await server.stop();
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

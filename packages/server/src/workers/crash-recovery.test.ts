/**
 * Crash test: the server process is killed (SIGKILL) while a job is running on the engine and restarted on the same
 * DATA_DIR. The restarted server sees that the job's holder is dead and takes it back at once, saying so in its log:
 * the lease is set to 10 minutes, far beyond this test's wait, so without that the job would still be PROCESSING.
 * It completes exactly once, with exactly one debit.
 *
 * SQLite only (not in npm test's PostgreSQL pass): it starts `fitroom serve` processes on a DATA_DIR and reads their
 * SQLite file; the PostgreSQL version belongs with issue 14's multi-process test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openSqlite } from '../db/database.js';
import { readFixture } from '../testing/fixtures.js';
import { freePort, startProcess } from '../testing/processes.js';
import { startReferenceEngine } from '../testing/reference-engine-server.js';

const cli = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

const startServer = (env: Record<string, string>) => startProcess(cli, ['serve'], env);

test('a job whose process was killed mid-run is taken back at once by the restarted server, completes once, charged once', async () => {
  const engine = await startReferenceEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'fitroom-crash-'));
  const port = await freePort();
  const env = {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ENGINE: 'external',
    EXTERNAL_ENGINE_URL: engine.url,
    JOB_LEASE_S: '600',
    WORKER_CONCURRENCY: '1',
    DEMO_CREDITS: '5',
    LOG_LEVEL: 'warn',
    VISION: 'off',
  };
  let server = await startServer(env);
  try {
    const apiKey = /\n\s+(gk_[A-Za-z0-9_-]+)\n/.exec(server.output())?.[1];
    assert.ok(apiKey, 'the first start prints the demo key');
    const base = `http://127.0.0.1:${port}/tryon/v1`;
    const headers = { 'x-api-key': apiKey };

    const upload = new FormData();
    upload.append('file', new Blob([readFixture('person', 'man-1.png')], { type: 'image/png' }), 'me.png');
    upload.append('crop', 'false');
    const { imageId } = (await (
      await fetch(`${base}/images/upload`, { method: 'POST', headers, body: upload })
    ).json()) as {
      imageId: string;
    };
    const tryOn = new FormData();
    tryOn.append(
      'data',
      JSON.stringify({
        products: [{ externalId: 'tee', title: 'Tee', images: [{ source: { fileKey: 'g' } }] }],
        person: { image: { source: { id: imageId } } },
      }),
    );
    tryOn.append('g', new Blob([readFixture('garment', 'upper-1.jpg')], { type: 'image/jpeg' }), 'g.jpg');

    engine.hold = true;
    const arrived = engine.nextRequest();
    const submitted = (await (await fetch(`${base}/try-on`, { method: 'POST', headers, body: tryOn })).json()) as {
      generationId: string;
    };
    await arrived; // the worker is inside the engine call now
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    engine.hold = false;

    server = await startServer(env);
    // A hang guard, not a timing: with the lease (10 min) as the only way back, the job stays PROCESSING past it.
    let status = '';
    for (let i = 0; i < 300 && status !== 'COMPLETED' && status !== 'FAILED'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const res = await fetch(`${base}/generations/${submitted.generationId}`, { headers });
      status = ((await res.json()) as { status: string }).status;
    }
    assert.equal(status, 'COMPLETED');
    assert.equal(engine.requests, 2, 'the engine ran once before the crash and once after');
    const credits = (await (await fetch(`${base}/account/credits`, { headers })).json()) as { creditBalance: number };
    assert.equal(credits.creditBalance, 4);
  } finally {
    await server.stop();
    await engine.close();
  }
  // The restarted server said so, in one line with the count (read once it has stopped, so its log is flushed).
  const taken = server.output().match(/took back \d+ try-on job\(s\)/g);
  assert.deepEqual(taken, ['took back 1 try-on job(s)'], server.output());
  const db = openSqlite(join(dataDir, 'fitroom.sqlite'));
  try {
    const ledger = await db
      .selectFrom('credit_ledger')
      .select(['reason', 'generation_id'])
      .where('generation_id', 'is not', null)
      .execute();
    assert.deepEqual(
      ledger.map((l) => l.reason),
      ['generation_debit'],
    );
    const jobs = await db.selectFrom('jobs').select(['status', 'attempts']).execute();
    assert.deepEqual(jobs, [{ status: 'done', attempts: 2 }]);
  } finally {
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

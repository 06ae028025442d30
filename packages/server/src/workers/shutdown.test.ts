/**
 * Graceful shutdown hands a running job back to the queue at once; the next server on the same data directory
 * finishes it (no waiting for the lease), charged once.
 *
 * SQLite only (not in npm test's PostgreSQL pass): the two servers share a DATA_DIR and the test reads its SQLite file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EngineError, type TryOnEngine, type TryOnInput } from '@fitroom/engine';
import { parseConfig } from '../config.js';
import { createServer } from '../server.js';
import { fixtureTryOn, postTryOn } from '../testing/test-server.js';

/** Holds every try-on until aborted (the first server) — or answers at once (the second). */
class GateEngine implements TryOnEngine {
  readonly name = 'gate';
  started!: Promise<void>;
  private markStarted!: () => void;
  constructor(private readonly hold: boolean) {
    this.started = new Promise((r) => {
      this.markStarted = r;
    });
  }
  async tryOn(input: TryOnInput) {
    this.markStarted();
    if (this.hold) {
      await new Promise((_, reject) =>
        input.signal?.addEventListener('abort', () => reject(new EngineError('ENGINE_FAILED', 'aborted', true))),
      );
    }
    return { image: input.person, contentType: 'image/jpeg' as const, width: 0, height: 0 };
  }
  async close() {}
}

test('SIGTERM-style shutdown hands the running job back; the restarted server completes it, charged once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fitroom-shutdown-'));
  // A long lease: if the job were not handed back, the second server could not take it within this test.
  const config = parseConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    DEMO_CREDITS: '0',
    JOB_LEASE_S: '600',
    VISION: 'off',
  });
  try {
    const held = new GateEngine(true);
    const first = await createServer(config, { logger: false, extraEngines: new Map([['gate', held]]) });
    const acct = await first.deps.accounts.create({ name: 't', credits: 3 });
    await first.deps.accounts.update(acct.id, { engine: 'gate' });
    const res = await postTryOn({ app: first.app, apiKey: acct.apiKey }, ...fixtureTryOn({ title: 'tee' }));
    const { generationId } = res.json();
    await held.started;
    await first.close();

    const jobs = await (async () => {
      const second = await createServer(config, { logger: false, workers: false });
      try {
        return await second.deps.db.selectFrom('jobs').select(['status', 'lease_until']).execute();
      } finally {
        await second.close();
      }
    })();
    assert.deepEqual(jobs, [{ status: 'queued', lease_until: null }], 'handed back, not left running under a lease');

    const fast = new GateEngine(false);
    const second = await createServer(config, { logger: false, extraEngines: new Map([['gate', fast]]) });
    try {
      const done = await second.deps.generations.waitForTerminal(generationId, 20_000);
      assert.equal(done.status, 'COMPLETED');
      assert.equal(await second.deps.credits.balance(acct.id), 2);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

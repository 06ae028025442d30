/**
 * The scale-out deployment end to end, as on separate machines: two API processes and two worker processes
 * (`fitroom serve --role …`), each with an empty DATA_DIR of its own, sharing one PostgreSQL database, one Redis
 * prefix and one S3 bucket (s3rver). The engine is the external reference engine, which can hold requests, so that a
 * worker can be killed while it runs try-ons.
 *
 * Needs PostgreSQL and Redis (this project's machines run both): skipped, saying so, without them, except under CI.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readFixture } from './testing/fixtures.js';
import { freePort, type StartedProcess, startProcess } from './testing/processes.js';
import { startReferenceEngine } from './testing/reference-engine-server.js';
import { startS3Server } from './testing/s3-server.js';
import { createPostgresTestDatabase, postgresReachable } from './testing/test-database.js';
import { REDIS_TEST_URL, testRedis } from './testing/test-redis.js';

const cliEntry = fileURLToPath(new URL('./cli/main.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TRY_ONS = 200;

/** The try-on request: the printed tee on woman-1, both inline. */
function tryOnForm(title: string): FormData {
  const form = new FormData();
  form.append(
    'data',
    JSON.stringify({
      products: [{ title, images: [{ source: { fileKey: 'g' } }] }],
      person: { image: { source: { fileKey: 'p' } } },
    }),
  );
  form.append('g', new Blob([readFixture('garment', 'upper-4.jpg')], { type: 'image/jpeg' }), 'g.jpg');
  form.append('p', new Blob([readFixture('person', 'woman-1.jpg')], { type: 'image/jpeg' }), 'p.jpg');
  return form;
}

test('scale-out: 2 API and 2 worker processes on one PostgreSQL, Redis and bucket', { timeout: 600_000 }, async (t) => {
  const redis = await testRedis(t); // skips without Redis, fails under CI
  if (!redis) return;
  const cleanup: Array<() => Promise<unknown> | unknown> = [() => redis.cleanup()];
  t.after(async () => {
    for (const step of cleanup.reverse()) await step();
  });
  if (!(await postgresReachable())) {
    const why = 'needs PostgreSQL (PG_TEST_URL)';
    if (process.env.CI) throw new Error(why);
    t.skip(why);
    return;
  }
  const database = await createPostgresTestDatabase();
  cleanup.push(() => database.drop());
  const bucket = await startS3Server();
  cleanup.push(() => bucket.close());
  const prefix = redis.prefix;
  const engine = await startReferenceEngine();
  cleanup.push(() => engine.close());
  const shared = {
    DATABASE_URL: database.url,
    REDIS_URL: REDIS_TEST_URL,
    REDIS_PREFIX: prefix,
    ...bucket.env,
    ENGINE: 'external',
    EXTERNAL_ENGINE_URL: engine.url,
    ALLOW_PRIVATE_FETCH: 'true',
    VISION: 'off',
    JOB_LEASE_S: '2',
    WORKER_CONCURRENCY: '2',
    LOG_LEVEL: 'warn',
  };
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'fitroom-scale-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const cli = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', cliEntry, ...args],
      { env: { ...process.env, ...shared, DATA_DIR: dataDir() }, encoding: 'utf8' },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!);
  };
  const serve = async (role: 'api' | 'worker') => {
    const port = await freePort();
    const env = { ...shared, DATA_DIR: dataDir(), PORT: String(port), HOST: '127.0.0.1' };
    const started: StartedProcess = await startProcess(cliEntry, ['serve', '--role', role], {
      ...env,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    cleanup.push(() => started.stop());
    return { ...started, base: `http://127.0.0.1:${port}/tryon/v1` };
  };

  await cli('migrate');
  const account = await cli('accounts', 'create', '--name', 'shop', '--credits', '300', '--rate-limit', '100000');
  const limited = await cli('accounts', 'create', '--name', 'limited', '--credits', '1');
  const apis = [await serve('api'), await serve('api')];
  const workers = [await serve('worker'), await serve('worker')];
  const key = { 'x-api-key': account.apiKey as string };
  const poll = (api: { base: string }, id: string) =>
    fetch(`${api.base}/generations/${id}`, { headers: key }).then((r) => r.json() as Promise<Record<string, string>>);
  const submit = async (i: number): Promise<string> => {
    const res = await fetch(`${apis[i % 2]!.base}/try-on`, { method: 'POST', headers: key, body: tryOnForm('shirt') });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { generationId: string }).generationId;
  };
  const settle = async (ids: string[], ms: number) => {
    const statuses = new Map<string, string>();
    for (const until = Date.now() + ms; Date.now() < until; await sleep(250)) {
      for (const id of ids) {
        if (statuses.get(id) === 'COMPLETED' || statuses.get(id) === 'FAILED') continue;
        statuses.set(id, (await poll(apis[Math.floor(Math.random() * 2)]!, id)).status!);
      }
      if ([...statuses.values()].every((s) => s === 'COMPLETED' || s === 'FAILED')) break;
    }
    return ids.map((id) => statuses.get(id));
  };

  // 1. 200 try-ons, spread over both API processes, run by both workers.
  const ids: string[] = [];
  for (let i = 0; i < TRY_ONS; i += 10)
    ids.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => submit(i + k)))));
  const statuses = await settle(ids, 240_000);
  assert.deepEqual(
    statuses.filter((s) => s !== 'COMPLETED'),
    [],
    'every try-on completed',
  );
  const balance = async () =>
    (
      (await fetch(`${apis[1]!.base}/account/credits`, { headers: key }).then((r) => r.json())) as {
        creditBalance: number;
      }
    ).creditBalance;
  assert.equal(await balance(), 300 - TRY_ONS);
  // A result made by a worker, fetched through the other API's answer, straight from the bucket.
  const made = await poll(apis[1]!, ids[0]!);
  const image = await fetch(made.resultImageUrl!);
  assert.equal(image.status, 200);
  assert.ok((await image.arrayBuffer()).byteLength > 1000);

  // 2. The per-account rate limit holds across both API processes (100 a minute by default).
  const limitedKey = { 'x-api-key': limited.apiKey as string };
  const answers = await Promise.all(
    Array.from({ length: 130 }, (_, i) => fetch(`${apis[i % 2]!.base}/account/credits`, { headers: limitedKey })),
  );
  const counts: Record<number, number> = {};
  for (const r of answers) counts[r.status] = (counts[r.status] ?? 0) + 1;
  assert.deepEqual(counts, { 200: 100, 429: 30 });

  // 3. /try-on/sync on one API answers with the result of a job a worker ran.
  const sync = await fetch(`${apis[0]!.base}/try-on/sync`, { method: 'POST', headers: key, body: tryOnForm('shirt') });
  assert.equal(sync.status, 200);
  assert.equal(((await sync.json()) as { status: string }).status, 'COMPLETED');

  // 4. A worker killed while it runs try-ons: the other takes its jobs over; each completes once, charged once.
  engine.hold = true;
  const before = engine.requests;
  const held = await Promise.all(Array.from({ length: 4 }, (_, i) => submit(i)));
  for (const until = Date.now() + 30_000; engine.requests - before < 4 && Date.now() < until; ) await sleep(100);
  assert.equal(engine.requests - before, 4, 'both workers hold two try-ons each');
  workers[0]!.child.kill('SIGKILL');
  engine.hold = false;
  const afterKill = await settle(held, 120_000);
  assert.deepEqual(afterKill, ['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
  assert.ok(engine.requests - before > 4, 'the killed worker’s try-ons ran again on the other');
  assert.equal(await balance(), 300 - TRY_ONS - 1 - held.length);
  const results = (await bucket.listKeys()).filter((k) => k.includes('/results/'));
  assert.equal(results.length, TRY_ONS + 1 + held.length, 'one result per generation, none left by the killed worker');
});

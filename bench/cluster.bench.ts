/**
 * Generations per second on the composite engine, by deployment, in one run:
 *
 *   A. embedded: one `fitroom serve` on SQLite (the default);
 *   B. scale-out with one worker: an API process and a worker process on PostgreSQL and Redis;
 *   C. scale-out with two workers: the same with a second worker process.
 *
 * Every worker runs one try-on at a time on one engine thread (WORKER_CONCURRENCY=1, ENGINE_THREADS=1), so the
 * figures compare deployments, not thread counts. The processes share one DATA_DIR for blobs (one machine; across
 * machines it would be the bucket). Each round submits a batch of try-ons at once (person × garment pairs from
 * test-photos/) and times them from the first request to the last completion; the deployments take turns, starting
 * with a different one each round, after a warm-up batch each (models load on the first try-on). Printed: each one's
 * median generations per second, and the ratios B/A (PostgreSQL and Redis against SQLite) and C/B (two workers
 * against one).
 *
 *   npm run bench -- cluster          (BENCH_ROUNDS=3, BENCH_BATCH=8 by default)
 *
 * Needs PostgreSQL (PG_TEST_URL) and Redis (REDIS_TEST_URL), as the tests do.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFixture } from '../packages/server/src/testing/fixtures.js';
import { createPostgresTestDatabase } from '../packages/server/src/testing/test-database.js';
import { deleteRedisPrefix, newTestRedisPrefix, REDIS_TEST_URL } from '../packages/server/src/testing/test-redis.js';
import { fmt, freePort, median, repoRoot, startProcess } from './lib.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const batch = Number(process.env.BENCH_BATCH ?? 8);
const cli = join(repoRoot, 'packages/server/src/cli/main.ts');
const PERSONS = ['woman-1.jpg', 'woman-2.png', 'man-1.png', 'man-2.png'];
const GARMENTS = ['upper-4.jpg', 'upper-3.jpg'];

type Stopper = { stop(): Promise<void> };
const running: Stopper[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

interface Deployment {
  name: string;
  api: string;
  apiKey: string;
}

function runCli(env: Record<string, string>, ...args: string[]) {
  const out = execFileSync(process.execPath, ['--conditions=development', '--import', 'tsx', cli, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!) as { apiKey: string };
}

async function serve(env: Record<string, string>, role: 'all' | 'api' | 'worker'): Promise<string> {
  const port = await freePort();
  const started = await startProcess(cli, ['serve', '--role', role], {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
  });
  running.push(started);
  return `http://127.0.0.1:${port}/tryon/v1`;
}

async function deploy(name: string, env: Record<string, string>, workers: number): Promise<Deployment> {
  const { apiKey } = runCli(
    env,
    'accounts',
    'create',
    '--name',
    'bench',
    '--credits',
    '100000',
    '--rate-limit',
    '100000',
  );
  if (workers === 0) return { name, api: await serve(env, 'all'), apiKey };
  const api = await serve(env, 'api');
  for (let i = 0; i < workers; i++) await serve(env, 'worker');
  return { name, api, apiKey };
}

function form(i: number): FormData {
  const f = new FormData();
  f.append(
    'data',
    JSON.stringify({
      products: [{ title: 'T-shirt', images: [{ source: { fileKey: 'g' } }] }],
      person: { image: { source: { fileKey: 'p' } } },
    }),
  );
  f.append('g', new Blob([readFixture('garment', GARMENTS[i % GARMENTS.length]!)]), 'g.jpg');
  f.append('p', new Blob([readFixture('person', PERSONS[i % PERSONS.length]!)]), 'p.img');
  return f;
}

/** Submits `n` try-ons at once and waits for all; returns generations per second (refusals count as done). */
async function runBatch(d: Deployment, n: number): Promise<number> {
  const headers = { 'x-api-key': d.apiKey };
  const started = performance.now();
  const ids = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const res = await fetch(`${d.api}/try-on`, { method: 'POST', headers, body: form(i) });
      if (res.status !== 200) throw new Error(`${d.name}: try-on answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { generationId: string }).generationId;
    }),
  );
  const pending = new Set(ids);
  while (pending.size > 0) {
    await new Promise((r) => setTimeout(r, 100));
    for (const id of [...pending]) {
      const g = (await fetch(`${d.api}/generations/${id}`, { headers }).then((r) => r.json())) as { status: string };
      if (g.status === 'COMPLETED' || g.status === 'FAILED') pending.delete(id);
    }
    if (performance.now() - started > 600_000) throw new Error(`${d.name}: the batch took over 10 minutes`);
  }
  return n / ((performance.now() - started) / 1000);
}

try {
  const common = { LOG_LEVEL: 'warn', WORKER_CONCURRENCY: '1', ENGINE_THREADS: '1', VISION: 'on', ENGINE: 'composite' };
  const sqliteDir = mkdtempSync(join(tmpdir(), 'fitroom-bench-sqlite-'));
  cleanups.push(() => rmSync(sqliteDir, { recursive: true, force: true }));
  const embedded = await deploy('A. embedded, SQLite', { ...common, DATA_DIR: sqliteDir }, 0);

  const scaleOut = async (name: string, workers: number) => {
    const database = await createPostgresTestDatabase();
    cleanups.push(() => database.drop());
    const prefix = newTestRedisPrefix();
    cleanups.push(() => deleteRedisPrefix(prefix));
    const dir = mkdtempSync(join(tmpdir(), 'fitroom-bench-pg-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = {
      ...common,
      DATA_DIR: dir,
      DATABASE_URL: database.url,
      REDIS_URL: REDIS_TEST_URL,
      REDIS_PREFIX: prefix,
    };
    return deploy(name, env, workers);
  };
  const one = await scaleOut('B. PostgreSQL + Redis, 1 worker', 1);
  const two = await scaleOut('C. PostgreSQL + Redis, 2 workers', 2);
  const deployments = [embedded, one, two];
  for (const d of deployments) await runBatch(d, 2); // warm-up: every worker loads its models
  const results: number[][] = deployments.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < deployments.length; k++) {
      const i = (k + round) % deployments.length;
      results[i]!.push(await runBatch(deployments[i]!, batch));
    }
  }
  console.log(`composite try-ons, batches of ${batch}, ${rounds} rounds, medians (one engine thread per worker)`);
  deployments.forEach((d, i) => {
    const r = results[i]!;
    console.log(`  ${d.name.padEnd(36)} ${fmt(median(r))} generations/s (rounds: ${r.map((x) => fmt(x)).join(', ')})`);
  });
  const ratio = (a: number[], b: number[]) => a.map((x, i) => x / b[i]!);
  const [a, b, c] = results as [number[], number[], number[]];
  const pgVsSqlite = ratio(b, a);
  const twoVsOne = ratio(c, b);
  console.log(
    `  B/A PostgreSQL + Redis against SQLite, one worker: ${fmt(median(pgVsSqlite))} (${pgVsSqlite.map((x) => fmt(x)).join(', ')})`,
  );
  console.log(
    `  C/B two worker processes against one:             ${fmt(median(twoVsOne))} (${twoVsOne.map((x) => fmt(x)).join(', ')})`,
  );
} finally {
  for (const p of running.reverse()) await p.stop();
  for (const step of cleanups.reverse()) await step();
}

/**
 * GET /generations/:id throughput (auth by key hash + rate-limit bookkeeping + a database read + a signed URL) under
 * 64 concurrent connections, as a ratio to a bare Fastify route answering a constant JSON body. Both servers run in
 * their own process; the same autocannon load generator drives both, alternately. Target: ratio ≥ 0.5.
 *
 *   npm run bench -- generations-rps        (BENCH_SECONDS=5 BENCH_ROUNDS=3 by default)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { readFixture } from '../packages/server/src/testing/fixtures.js';
import { fmt, freePort, median, processCpuSeconds, repoRoot, startProcess } from './lib.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = 64;

/**
 * Runs the load and returns requests per second and the server's CPU time per request. The second figure is what the
 * ratio is judged on: on a shared 2-core machine (autocannon needs one core itself) throughput swings with whatever
 * else runs, while CPU per request is the server's own cost, and its inverse is the capacity of one core.
 */
async function measure(url: string, headers: Record<string, string>, pid: number) {
  const cpu0 = processCpuSeconds(pid);
  const result = await autocannon({ url, connections, duration: seconds, headers });
  const cpu = processCpuSeconds(pid) - cpu0;
  if (result.non2xx > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers`);
  return { rps: result.requests.average, cpuUsPerRequest: (cpu * 1e6) / result.requests.total };
}

const dataDir = mkdtempSync(join(tmpdir(), 'fitroom-bench-'));
const [fitPort, barePort] = [await freePort(), await freePort()];
const cli = join(repoRoot, 'packages/server/src/cli/main.ts');
const env = {
  DATA_DIR: dataDir,
  PORT: String(fitPort),
  HOST: '127.0.0.1',
  PUBLIC_URL: `http://127.0.0.1:${fitPort}`,
  LOG_LEVEL: 'warn',
  WORKER_CONCURRENCY: '1',
  VISION: 'off',
};
// An account whose rate limit does not get in the way of the measurement (the bookkeeping still runs).
const account = JSON.parse(
  execFileSync(
    process.execPath,
    [
      '--conditions=development',
      '--import',
      'tsx',
      cli,
      'accounts',
      'create',
      '--name',
      'bench',
      '--credits',
      '10',
      '--rate-limit',
      '100000000',
    ],
    {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  )
    .trim()
    .split('\n')
    .pop()!,
) as { apiKey: string };

// The server as users run it: the compiled build (`fitroom serve`), brought up to date first.
execFileSync('npx', ['tsc', '-b'], { cwd: repoRoot, stdio: 'inherit' });
const fitroom = await startProcess(join(repoRoot, 'packages/server/bin/fitroom.js'), ['serve'], env);
const bare = await startProcess(join(repoRoot, 'bench/servers/bare-fastify.ts'), [], { PORT: String(barePort) });
try {
  const headers = { 'x-api-key': account.apiKey, 'content-type': 'application/json' };
  const base = `http://127.0.0.1:${fitPort}/tryon/v1`;
  const form = new FormData();
  form.append(
    'data',
    JSON.stringify({
      products: [{ title: 'mock', images: [{ source: { fileKey: 'g' } }] }],
      person: { image: { source: { fileKey: 'p' } } },
    }),
  );
  form.append('g', new Blob([readFixture('garment', 'upper-1.jpg')]), 'g.jpg');
  form.append('p', new Blob([readFixture('person', 'woman-2.png')]), 'p.png');
  const sync = await fetch(`${base}/try-on/sync`, {
    method: 'POST',
    headers: { 'x-api-key': account.apiKey },
    body: form,
  });
  const { generationId, status } = (await sync.json()) as { generationId: string; status: string };
  if (status !== 'COMPLETED') throw new Error(`setup generation is ${status}`);

  const target = `${base}/generations/${generationId}`;
  const baseline = `http://127.0.0.1:${barePort}/tryon/v1/generations/${generationId}`;
  await measure(target, headers, fitroom.child.pid!); // warm-up (JIT, caches)
  await measure(baseline, {}, bare.child.pid!);
  const a: Array<Awaited<ReturnType<typeof measure>>> = [];
  const b: typeof a = [];
  for (let i = 0; i < rounds; i++) {
    a.push(await measure(target, headers, fitroom.child.pid!));
    b.push(await measure(baseline, {}, bare.child.pid!));
  }
  const rpsRatios = a.map((x, i) => x.rps / b[i]!.rps);
  const capacityRatios = a.map((x, i) => b[i]!.cpuUsPerRequest / x.cpuUsPerRequest);
  console.log(`GET /generations/:id, ${connections} connections, ${rounds} rounds of ${seconds}s each, medians`);
  console.log(
    `  fitroom:      ${fmt(median(a.map((x) => x.rps)), 0)} req/s, ${fmt(median(a.map((x) => x.cpuUsPerRequest)), 0)} µs CPU/request`,
  );
  console.log(
    `  bare Fastify: ${fmt(median(b.map((x) => x.rps)), 0)} req/s, ${fmt(median(b.map((x) => x.cpuUsPerRequest)), 0)} µs CPU/request`,
  );
  console.log(
    `  throughput ratio fitroom/bare: ${fmt(median(rpsRatios))} (rounds: ${rpsRatios.map((r) => fmt(r)).join(', ')})`,
  );
  console.log(
    `  capacity ratio (requests per CPU-second) fitroom/bare: ${fmt(median(capacityRatios))} ` +
      `(rounds: ${capacityRatios.map((r) => fmt(r)).join(', ')}; target ≥ 0.5)`,
  );
} finally {
  await fitroom.stop();
  await bare.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

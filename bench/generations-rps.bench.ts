/**
 * GET /generations/:id throughput (auth by key hash + rate-limit bookkeeping + a database read + a signed URL) under
 * 64 concurrent connections, as a ratio to a bare Fastify route answering a constant JSON body. Each server runs in
 * its own process; the same autocannon load generator drives them, in turn. Target: ratio ≥ 0.5 against a bare
 * Fastify with no logger, for both the throughput and the capacity ratio.
 *
 * fitroom runs as an operator runs it: `fitroom serve` (the compiled build) with the default settings, LOG_LEVEL=info
 * included, so every request is logged (one line); its stdout (the log) goes to a file, as a shell redirection would
 * send it. Two baselines: bare Fastify with no logger, which the target is judged against, and, for information,
 * bare Fastify with its own default request logging (two lines per request, through fitroom's log writer, stdout to a
 * file).
 *
 *   npm run bench -- generations-rps        (BENCH_SECONDS=5 BENCH_ROUNDS=3 by default)
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { readFixture } from '../packages/server/src/testing/fixtures.js';
import { fmt, freePort, median, processCpuSeconds, repoRoot } from './lib.js';

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
  return {
    rps: result.requests.average,
    cpuUsPerRequest: (cpu * 1e6) / result.requests.total,
    total: result.requests.total,
  };
}

/** A server process whose stdout and stderr go to `logFile`; resolves once the file shows `ready`. */
async function startLogged(args: string[], env: Record<string, string>, logFile: string, ready: RegExp) {
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let waited = 0; !ready.test(readFileSync(logFile, 'utf8')); waited += 100) {
    if (child.exitCode !== null || waited > 300_000) throw new Error(`${args.join(' ')} did not start: see ${logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    /** SIGTERM (fitroom flushes its log on the way out), and wait for the exit. */
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'fitroom-bench-'));
const [fitPort, barePort, bareLogPort] = [await freePort(), await freePort(), await freePort()];
const cli = join(repoRoot, 'packages/server/src/cli/main.ts');
const logs = {
  fitroom: join(dataDir, 'fitroom.log'),
  bare: join(dataDir, 'bare.log'),
  bareLog: join(dataDir, 'bare-log.log'),
};
// Only what the bench needs: where the data goes, a port, loopback. Everything else at its default (LOG_LEVEL=info).
const { LOG_LEVEL: _ignored, ...inherited } = process.env as Record<string, string>;
const env = {
  ...inherited,
  DATA_DIR: dataDir,
  PORT: String(fitPort),
  HOST: '127.0.0.1',
  PUBLIC_URL: `http://127.0.0.1:${fitPort}`,
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
      env,
      encoding: 'utf8',
    },
  )
    .trim()
    .split('\n')
    .pop()!,
) as { apiKey: string };

// The server as users run it: the compiled build (`fitroom serve`), brought up to date first.
execFileSync('npx', ['tsc', '-b'], { cwd: repoRoot, stdio: 'inherit' });
const fitroom = await startLogged(
  [join(repoRoot, 'packages/server/bin/fitroom.js'), 'serve'],
  env,
  logs.fitroom,
  /listening on/,
);
const bareServer = join(repoRoot, 'bench/servers/bare-fastify.ts');
const tsx = ['--conditions=development', '--import', 'tsx', bareServer];
const bare = await startLogged(tsx, { ...inherited, PORT: String(barePort) }, logs.bare, /\bready\b/);
const bareLog = await startLogged(
  tsx,
  { ...inherited, PORT: String(bareLogPort), LOG: 'info' },
  logs.bareLog,
  /\bready\b/,
);
let stopped = false;
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

  const servers = [
    {
      name: 'fitroom, default settings (LOG_LEVEL=info)',
      url: `${base}/generations/${generationId}`,
      headers,
      pid: fitroom.pid,
    },
    {
      name: 'bare Fastify, no logger',
      url: `http://127.0.0.1:${barePort}/tryon/v1/generations/${generationId}`,
      headers: {},
      pid: bare.pid,
    },
    {
      name: 'bare Fastify, its default request logging (2 lines)',
      url: `http://127.0.0.1:${bareLogPort}/tryon/v1/generations/${generationId}`,
      headers: {},
      pid: bareLog.pid,
    },
  ];
  let fitroomAnswered = 2; // the setup requests
  const results: Array<Array<Awaited<ReturnType<typeof measure>>>> = servers.map(() => []);
  for (let round = -1; round < rounds; round++) {
    // Round -1 warms up (JIT, caches); the servers take turns, starting with a different one each round.
    for (let k = 0; k < servers.length; k++) {
      const i = (k + round + 1) % servers.length;
      const server = servers[i]!;
      const result = await measure(server.url, server.headers, server.pid);
      if (i === 0) fitroomAnswered += result.total;
      if (round >= 0) results[i]!.push(result);
    }
  }
  const [a, b, c] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
  console.log(`GET /generations/:id, ${connections} connections, ${rounds} rounds of ${seconds}s each, medians`);
  servers.forEach((server, i) => {
    const r = results[i]!;
    console.log(
      `  ${server.name.padEnd(52)} ${fmt(median(r.map((x) => x.rps)), 0)} req/s, ${fmt(median(r.map((x) => x.cpuUsPerRequest)), 1)} µs CPU/request`,
    );
  });
  /** fitroom's ratios to a baseline, round by round (the rounds took turns, so round i of each is comparable). */
  const ratiosTo = (base: typeof a) => ({
    rps: a.map((x, i) => x.rps / base[i]!.rps),
    capacity: a.map((x, i) => base[i]!.cpuUsPerRequest / x.cpuUsPerRequest),
  });
  for (const [label, base] of [
    ['bare Fastify, no logger (the target)', b],
    ['bare Fastify logging its two request lines (for information)', c],
  ] as const) {
    const { rps, capacity } = ratiosTo(base);
    console.log(`  fitroom / ${label}:`);
    console.log(`    throughput ratio ${fmt(median(rps))} (rounds: ${rps.map((r) => fmt(r)).join(', ')})`);
    console.log(
      `    capacity ratio (requests per CPU-second) ${fmt(median(capacity))} (rounds: ${capacity.map((r) => fmt(r)).join(', ')})`,
    );
  }
  // The "a bare Fastify route" is one with nothing added, no logger included: fitroom must reach half of it
  // while logging every request. The logging baseline shows what Fastify's own two request lines cost it.
  const target = ratiosTo(b);
  const met = median(target.rps) >= 0.5 && median(target.capacity) >= 0.5;
  console.log(`  target: ≥ 0.5 against bare Fastify with no logger, both ratios (medians): ${met ? 'met' : 'NOT met'}`);
  await fitroom.stop(); // SIGTERM: the log is flushed on the way out
  stopped = true;
  const lines = countLines(logs.fitroom, '"msg":"request completed"');
  console.log(
    `  fitroom's log: ${lines} 'request completed' lines for ${fitroomAnswered} answers counted by the load generator, ` +
      `${fmt(statSync(logs.fitroom).size / 1e6, 0)} MB`,
  );
  // The load generator does not count answers still in flight when a run ends; the server logs them.
  if (lines < fitroomAnswered) throw new Error(`fitroom logged ${lines} requests of ${fitroomAnswered} answered`);
} finally {
  if (!stopped) await fitroom.stop();
  await bare.stop();
  await bareLog.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

/** Occurrences of `needle` in a (large) file. */
function countLines(file: string, needle: string): number {
  const data = readFileSync(file);
  let n = 0;
  for (let at = data.indexOf(needle); at !== -1; at = data.indexOf(needle, at + needle.length)) n++;
  return n;
}

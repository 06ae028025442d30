/**
 * A mixed load on loopback against a real `fitroom serve` (the compiled build, default configuration): 20 accounts,
 * each sending above its rate-limit ceiling for one rate-limit window (60 s), a mix of GET /generations/:id polls,
 * POST /images/upload (the repository's test photos), mock try-ons (POST /try-on of a product titled `mock`) and
 * catalogue upserts (POST /products with a garment photo). Prints throughput and p50/p99 latency per route, the
 * server's peak RSS, and every answer other than the expected 2xx or 429 RATE_LIMITED (target: none), apart from
 * requests that got no answer at all within the SDK's timeout (60 s).
 *
 * The ceiling is the server's default, 100 requests per minute per account; account i sends at 1.1–1.5× it, so each
 * spends its budget 40–55 s into the window and gets 429s for the rest. Every send is scheduled (open loop, at most
 * 16 in flight per account, no send after 60 s, every request abandoned after 60 s): the run ends by itself.
 *
 * Baseline, measured in the same run on the same server: the mix's poll traffic alone (20 other accounts, the same
 * polls per second and in-flight cap per account, no other route), before and after the mix. The printed ratio is
 * poll latency under the mix / alone: what the uploads, try-ons and upserts cost the route clients call most.
 *
 *   npm run bench -- mixed-load        (about 3–4 minutes; BENCH_RATE_LIMIT=N gives every account N requests/min;
 *                                       BENCH_SERVER=tsx runs the server from the sources instead of the build;
 *                                       BENCH_KEEP=1 keeps the data directory and the server's log)
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../packages/server/src/config.js';
import { createDeps } from '../packages/server/src/deps.js';
import { fixturePath, readFixture } from '../packages/server/src/testing/fixtures.js';
import { fmt, freePort, processCpuSeconds, repoRoot } from './lib.js';

const ACCOUNTS = 20;
/** The mixed phase: one fixed rate-limit window (the server's windows start on the minute). */
const MIX_MS = 60_000;
/**
 * Each account's ceiling in requests per minute: the server's default (RATE_LIMIT_PER_MIN, 100), so the accounts are
 * created without an override. BENCH_RATE_LIMIT=N sets N on every account (`fitroom accounts create --rate-limit N`).
 */
const RATE_LIMIT_OVERRIDE = process.env.BENCH_RATE_LIMIT ? Number(process.env.BENCH_RATE_LIMIT) : null;
const RATE_LIMIT = RATE_LIMIT_OVERRIDE ?? 100;
/** Account i sends at OVERDRIVE_MIN…OVERDRIVE_MAX × its ceiling, spread evenly, so budgets run out at 40–55 s. */
const OVERDRIVE_MIN = 1.1;
const OVERDRIVE_MAX = 1.5;
/** Requests one account may have in flight (its connection pool); a send due while it is full is skipped, counted. */
const IN_FLIGHT_CAP = 16;
/** A request with no complete answer by then is abandoned and counted apart (the SDK's default timeout). */
const REQUEST_TIMEOUT_MS = 60_000;
const MIN_BASELINE_MS = 15_000;
const AFTER_BASELINE_MS = 15_000;
/**
 * Shares of each account's sends. An integration's traffic: a shopper's photo is uploaded once and tried on with a
 * few products, each try-on polled a few times; the catalogue is synchronised alongside.
 */
const MIX = [
  ['poll', 0.6],
  ['tryOn', 0.2],
  ['upload', 0.08],
  ['product', 0.12],
] as const;
type Route = (typeof MIX)[number][0];
const ROUTE_NAMES: Record<Route, string> = {
  poll: 'GET /generations/:id',
  upload: 'POST /images/upload',
  tryOn: 'POST /try-on (mock)',
  product: 'POST /products',
};
const POLL_SHARE = MIX.find(([r]) => r === 'poll')![1];

// ---------------------------------------------------------------------------------------------------------------
// The server: `fitroom serve`, default configuration except what is listed here.

// The server as users run it: the compiled build (`fitroom serve`), brought up to date first. BENCH_SERVER=tsx runs
// the same command from the TypeScript sources instead (no build; for a tree that does not type-check yet).
const fromSource = process.env.BENCH_SERVER === 'tsx';
if (!fromSource) execFileSync('npx', ['tsc', '-b'], { cwd: repoRoot, stdio: 'inherit' });
const dataDir = mkdtempSync(join(tmpdir(), 'fitroom-bench-mixed-'));
const port = await freePort();
/** The server's settings (README, Configuration): none is inherited from the caller's environment. */
const SETTINGS = [
  'PORT',
  'HOST',
  'DATA_DIR',
  'PUBLIC_URL',
  'RATE_LIMIT_PER_MIN',
  'SIGNED_URL_TTL_S',
  'LOG_LEVEL',
  'ENGINE',
  'EXTERNAL_ENGINE_URL',
  'WORKER_CONCURRENCY',
  'ENGINE_THREADS',
  'VISION',
  'SYNC_TIMEOUT_S',
  'JOB_LEASE_S',
  'ALLOW_PRIVATE_FETCH',
  'FETCH_TIMEOUT_MS',
  'TRUST_PROXY',
  'DEMO_CREDITS',
];
const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SETTINGS.includes(k)));
const env: Record<string, string> = {
  DATA_DIR: dataDir, // a temporary data directory, removed at the end
  PORT: String(port), // a free port
  HOST: '127.0.0.1', // loopback only, instead of 0.0.0.0: the bench's traffic never leaves the machine
};
const deviations = 'DATA_DIR=<temp dir>, PORT=<free port>, HOST=127.0.0.1';

// ---------------------------------------------------------------------------------------------------------------
// Photos: the repository's test fixtures (uploads: every person photo; products: the smaller garment photos).

const photosOf = (kind: string, maxBytes: number) =>
  readdirSync(fixturePath(kind))
    .filter((f) => /\.(jpe?g|png|webp)$/i.test(f) && statSync(fixturePath(kind, f)).size <= maxBytes)
    .sort()
    .map((f) => ({ name: f, data: readFixture(kind, f) }));
const persons = photosOf('person', 2_000_000);
const garments = photosOf('garment', 200_000);
if (persons.length === 0 || garments.length === 0) throw new Error('no fixture photos found');

// ---------------------------------------------------------------------------------------------------------------
// A small HTTP client on node:http: one keep-alive pool per account (as 20 separate integrations would have).

interface Answer {
  /** Sent as x-request-id: the server's log lines for the request carry it. */
  id: string;
  status: number; // 0: no answer (connection error or timeout)
  json: Record<string, unknown> | null;
  ms: number;
  error?: string;
}

type Body = { contentType: string; chunks: Buffer[] };

const API = '/tryon/v1';
let sent = 0;

function send(agent: Agent, method: string, path: string, apiKey: string, body?: Body): Promise<Answer> {
  const t0 = performance.now();
  const id = `bench-${++sent}`;
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Omit<Answer, 'ms' | 'id'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...a, id, ms: performance.now() - t0 });
    };
    const headers: Record<string, string | number> = { 'x-api-key': apiKey, 'x-request-id': id };
    if (body) {
      headers['content-type'] = body.contentType;
      headers['content-length'] = body.chunks.reduce((n, c) => n + c.length, 0);
    }
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json: Record<string, unknown> | null = null;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = { code: `<not JSON: ${text.slice(0, 60)}>` };
        }
        done({ status: res.statusCode ?? 0, json });
      });
      res.on('error', (err) => done({ status: 0, json: null, error: err.message }));
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)),
      REQUEST_TIMEOUT_MS,
    );
    req.on('error', (err) => done({ status: 0, json: null, error: err.message }));
    for (const c of body?.chunks ?? []) req.write(c);
    req.end();
  });
}

const jsonBody = (value: unknown): Body => ({
  contentType: 'application/json',
  chunks: [Buffer.from(JSON.stringify(value))],
});

/** multipart/form-data without copying the photo: [head, photo, tail]. */
function multipart(fields: Record<string, string>, file: { field: string; name: string; data: Buffer }): Body {
  const boundary = `----fitroombench${randomBytes(8).toString('hex')}`;
  let head = '';
  for (const [k, v] of Object.entries(fields)) {
    head += `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  }
  const type = file.name.endsWith('.png') ? 'image/png' : 'image/jpeg';
  head += `--${boundary}\r\ncontent-disposition: form-data; name="${file.field}"; filename="${file.name}"\r\ncontent-type: ${type}\r\n\r\n`;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    chunks: [Buffer.from(head), file.data, Buffer.from(`\r\n--${boundary}--\r\n`)],
  };
}

/** Deterministic choices (mulberry32), so that two runs send the same sequence. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Accounts and what each one has made (images to try on, generations to poll).

interface Client {
  index: number;
  apiKey: string;
  agent: Agent;
  random: () => number;
  imageIds: string[];
  generations: Map<string, string>; // id -> last status seen
  pending: string[]; // generation ids not yet seen terminal, oldest first
  uploads: number;
  products: number;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED']);

interface Unexpected {
  id: string;
  route: string;
  status: number;
  code: string;
}

/** Answers of one phase, per route. */
class Tally {
  readonly ok = new Map<Route, number[]>(); // latencies of 2xx answers
  readonly okIds = new Map<Route, string[]>();
  readonly limited = new Map<Route, number[]>(); // latencies of 429 RATE_LIMITED answers
  readonly unexpected: Unexpected[] = [];
  readonly unexpectedByRoute = new Map<Route, number>();
  /** Requests that got no answer (timeout or connection error): not answers, but failures a client sees. */
  readonly unanswered: Unexpected[] = [];
  readonly unansweredByRoute = new Map<Route, number>();
  skipped = 0;
  /** Ids of the requests that got an answer. */
  readonly answered: string[] = [];
  record(route: Route, a: Answer) {
    if (a.status !== 0) this.answered.push(a.id);
    const code = typeof a.json?.code === 'string' ? a.json.code : a.error ? `(${a.error})` : '-';
    if (a.status >= 200 && a.status < 300) {
      push(this.ok, route, a.ms);
      push(this.okIds, route, a.id);
    } else if (a.status === 429 && code === 'RATE_LIMITED') push(this.limited, route, a.ms);
    else if (a.status === 0) {
      this.unanswered.push({ id: a.id, route: ROUTE_NAMES[route], status: 0, code });
      this.unansweredByRoute.set(route, (this.unansweredByRoute.get(route) ?? 0) + 1);
    } else {
      this.unexpected.push({ id: a.id, route: ROUTE_NAMES[route], status: a.status, code });
      this.unexpectedByRoute.set(route, (this.unexpectedByRoute.get(route) ?? 0) + 1);
    }
  }
}
const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
};

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

const mockProduct = (n: number) =>
  multipart(
    { data: JSON.stringify({ externalId: 'mock-tee', title: 'mock', images: [{ source: { fileKey: 'front' } }] }) },
    { field: 'front', ...garments[n % garments.length]! },
  );

async function upload(c: Client, tally: Tally | null) {
  const photo = persons[c.uploads++ % persons.length]!;
  const a = await send(
    c.agent,
    'POST',
    `${API}/images/upload`,
    c.apiKey,
    multipart({ externalUserId: `shopper-${c.index}-${c.uploads % 5}` }, { field: 'file', ...photo }),
  );
  tally?.record('upload', a);
  if (a.status === 200) {
    c.imageIds.push(String(a.json!.imageId));
    if (c.imageIds.length > 8) c.imageIds.shift();
  }
  return a;
}

async function tryOn(c: Client, tally: Tally | null) {
  const imageId = c.imageIds[Math.floor(c.random() * c.imageIds.length)]!;
  const a = await send(
    c.agent,
    'POST',
    `${API}/try-on`,
    c.apiKey,
    jsonBody({
      products: [{ externalId: 'mock-tee' }],
      person: { image: { source: { id: imageId } } },
      externalUserId: `shopper-${c.index}`,
    }),
  );
  tally?.record('tryOn', a);
  if (a.status >= 200 && a.status < 300) {
    const id = String(a.json!.generationId);
    c.generations.set(id, String(a.json!.status));
    if (!TERMINAL.has(String(a.json!.status))) c.pending.push(id);
  }
  return a;
}

/** Polls the oldest generation not yet seen finished, else a random one of the account's. */
async function poll(c: Client, tally: Tally | null, idOverride?: string) {
  let id = idOverride ?? c.pending[0];
  if (!id) {
    const ids = [...c.generations.keys()];
    id = ids[Math.floor(c.random() * ids.length)]!;
  }
  const a = await send(c.agent, 'GET', `${API}/generations/${id}`, c.apiKey);
  tally?.record('poll', a);
  if (a.status === 200) {
    const status = String(a.json!.status);
    c.generations.set(id, status);
    if (TERMINAL.has(status)) c.pending = c.pending.filter((p) => p !== id);
  }
  return a;
}

async function upsertProduct(c: Client, tally: Tally | null) {
  const n = c.products++;
  const sku = `sku-${c.index}-${n % 40}`;
  const a = await send(
    c.agent,
    'POST',
    `${API}/products`,
    c.apiKey,
    multipart(
      {
        data: JSON.stringify({
          externalId: sku,
          title: `Bench tee ${n}`,
          description: 'A product upserted by the mixed-load benchmark',
          images: [{ source: { fileKey: 'front' } }],
        }),
      },
      { field: 'front', ...garments[(n + c.index) % garments.length]! },
    ),
  );
  tally?.record('product', a);
  return a;
}

const act: Record<Route, (c: Client, t: Tally) => Promise<Answer>> = {
  poll: (c, t) => poll(c, t),
  upload,
  tryOn,
  product: upsertProduct,
};

/**
 * Drives one account for `ms` from `start`: one send every `interval` ms (open loop: sends do not wait for answers),
 * the route drawn from `mix`; a send due while IN_FLIGHT_CAP requests are out is skipped and counted. Bounded in
 * count (ms / interval sends at most) and in time (no send after `ms`; each request gives up after
 * REQUEST_TIMEOUT_MS). Resolves when every request it sent has its answer.
 */
async function drive(c: Client, tally: Tally, start: number, ms: number, interval: number, mix: typeof MIX) {
  const total = mix.reduce((s, [, w]) => s + w, 0);
  const maxSends = Math.floor(ms / interval);
  const offset = c.random() * interval;
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < maxSends; i++) {
    const due = start + offset + i * interval;
    if (due >= start + ms) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (inFlight.size >= IN_FLIGHT_CAP) {
      tally.skipped++;
      continue;
    }
    let draw = c.random() * total;
    let route: Route = mix[0][0];
    for (const [r, w] of mix) {
      route = r;
      draw -= w;
      if (draw < 0) break;
    }
    const p: Promise<unknown> = act[route](c, tally).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}

// ---------------------------------------------------------------------------------------------------------------
// Server process helpers.

function vm(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}
const mb = (bytes: number) => `${fmt(bytes / 2 ** 20, 0)} MB`;

async function waitReady(deadlineMs: number) {
  const agent = new Agent();
  while (performance.now() < deadlineMs) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/readyz', agent }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    await sleep(200);
  }
  throw new Error('the server did not become ready');
}

// ---------------------------------------------------------------------------------------------------------------
// Run.

// Accounts through the service layer, as `fitroom accounts create --credits … --rate-limit …` makes them.
const deps = await createDeps(parseConfig({ ...env }));
const made: string[] = [];
try {
  for (let i = 0; i < 2 * ACCOUNTS; i++) {
    const acc = await deps.accounts.create({
      name: `bench-${i}`,
      credits: 100_000,
      rateLimitPerMin: RATE_LIMIT_OVERRIDE,
    });
    made.push(acc.apiKey);
  }
} finally {
  await deps.close();
}

const serverArgs = fromSource
  ? ['--conditions=development', '--import', 'tsx', join(repoRoot, 'packages/server/src/cli/main.ts'), 'serve']
  : [join(repoRoot, 'packages/server/bin/fitroom.js'), 'serve'];
const logFile = join(dataDir, 'server.log');
const logFd = openSync(logFile, 'w');
const server = spawn(process.execPath, serverArgs, {
  cwd: repoRoot,
  env: { ...inherited, ...env },
  stdio: ['ignore', logFd, logFd],
});
closeSync(logFd);
const pid = server.pid!;
let serverExit: string | null = null;
const exited = new Promise<void>((resolve) =>
  server.once('exit', (code, signal) => {
    serverExit = `code ${code}, signal ${signal}`;
    resolve();
  }),
);
/** SIGTERM, and SIGKILL if it has not exited 60 s later. Resolves with how it ended. */
let stopping: Promise<string> | null = null;
const stopServer = () => {
  stopping ??= (async () => {
    if (serverExit) return `it had already exited, ${serverExit}`;
    server.kill('SIGTERM');
    const timer = setTimeout(() => server.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
    return `exit ${serverExit}`;
  })();
  return stopping;
};

try {
  await waitReady(performance.now() + 120_000);
  const newClient = (i: number): Client => ({
    index: i,
    apiKey: made[i]!,
    agent: new Agent({ keepAlive: true, maxSockets: IN_FLIGHT_CAP }),
    random: prng(1000 + i),
    imageIds: [],
    generations: new Map(),
    pending: [],
    uploads: 0,
    products: 0,
  });
  const mixClients = Array.from({ length: ACCOUNTS }, (_, i) => newClient(i));
  const baseClients = Array.from({ length: ACCOUNTS }, (_, i) => newClient(ACCOUNTS + i));

  // Setup (not measured, in an earlier rate-limit window than the mix): each account's `mock` product, one photo,
  // and one finished mock generation to poll. Also warms the vision threads and the JIT.
  const must = (what: string, a: Answer) => {
    if (a.status < 200 || a.status >= 300) throw new Error(`setup ${what}: ${a.status} ${JSON.stringify(a.json)}`);
  };
  await Promise.all(
    [...mixClients, ...baseClients].map(async (c) => {
      must('product', await send(c.agent, 'POST', `${API}/products`, c.apiKey, mockProduct(c.index)));
      must('upload', await upload(c, null));
      must('try-on', await tryOn(c, null));
      for (let i = 0; i < 100 && c.pending.length; i++) {
        must('poll', await poll(c, null, c.pending[0]));
        if (c.pending.length) await sleep(100);
      }
      if (c.pending.length) throw new Error('setup generation did not finish');
    }),
  );

  // Baseline A: the mix's polls alone, from the other 20 accounts, until the next minute starts (at least 15 s).
  const perSend = (overdrive: number) => 60_000 / (RATE_LIMIT * overdrive);
  const overdrive = (i: number) => OVERDRIVE_MIN + ((OVERDRIVE_MAX - OVERDRIVE_MIN) * i) / (ACCOUNTS - 1);
  const pollsOnly = [['poll', 1]] as unknown as typeof MIX;
  const baseline = async (ms: number) => {
    const t = new Tally();
    const start = performance.now();
    await Promise.all(baseClients.map((c, i) => drive(c, t, start, ms, perSend(overdrive(i)) / POLL_SHARE, pollsOnly)));
    return t;
  };
  let windowStart = Math.ceil(Date.now() / 60_000) * 60_000;
  if (windowStart - Date.now() < MIN_BASELINE_MS) windowStart += 60_000;
  const baselineBefore = await baseline(windowStart - Date.now());
  // The mix starts with one of the server's rate-limit windows (fixed, starting on the minute) and lasts one window.
  const toWindow = windowStart + 50 - Date.now();
  if (toWindow > 0) await sleep(toWindow);

  // The mix: 20 accounts, one window.
  const mix = new Tally();
  const rssBefore = vm(pid).rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, vm(pid).rss);
  }, 200);
  const mixStart = performance.now();
  // The server's responsiveness as such: GET /healthz (no auth, no database) every 500 ms, on a kept-alive
  // connection of its own and on a new connection each time (a new connection waits for the server to accept it).
  const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const healthz: Array<{ at: number; ms: number }> = [];
  const healthzNew: typeof healthz = [];
  const probingNew = (async () => {
    const fresh = new Agent({ keepAlive: false });
    for (let t = performance.now(); t < mixStart + MIX_MS; t = performance.now()) {
      const a = await send(fresh, 'GET', '/healthz', '');
      healthzNew.push({ at: t - mixStart, ms: a.ms });
      await sleep(Math.max(0, 500 - a.ms));
    }
  })();
  const probing = (async () => {
    for (let t = performance.now(); t < mixStart + MIX_MS; t = performance.now()) {
      const a = await send(probeAgent, 'GET', '/healthz', '');
      healthz.push({ at: t - mixStart, ms: a.ms });
      await sleep(Math.max(0, 500 - a.ms));
    }
  })();
  const cpu0 = processCpuSeconds(pid);
  const ownCpu0 = process.cpuUsage();
  const load0 = loadavg()[0]!;
  await Promise.all(mixClients.map((c, i) => drive(c, mix, mixStart, MIX_MS, perSend(overdrive(i)), MIX)));
  const drainMs = performance.now() - mixStart - MIX_MS;
  await probing;
  await probingNew;
  const cpu = processCpuSeconds(pid) - cpu0;
  const ownCpuUs = process.cpuUsage(ownCpu0);
  const ownCpu = (ownCpuUs.user + ownCpuUs.system) / 1e6;
  const load1 = loadavg()[0]!;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, vm(pid).rss);
  const hwm = vm(pid).hwm;

  // Baseline B: the polls alone again, after the mix.
  const baselineAfter = await baseline(AFTER_BASELINE_MS);

  // Every generation made in the mix should end COMPLETED (mock engine): poll the ones not yet seen finished.
  const stillPending = async () => {
    for (let round = 0; round < 50; round++) {
      const open = mixClients.flatMap((c) => c.pending.map((id) => [c, id] as const));
      if (open.length === 0) return 0;
      for (const [c, id] of open) {
        const a = await poll(c, null, id);
        if (a.status === 429) await sleep(1000);
      }
      await sleep(200);
    }
    return mixClients.reduce((n, c) => n + c.pending.length, 0);
  };
  const pendingLeft = await stillPending();
  const statuses = new Map<string, number>();
  for (const c of mixClients) for (const s of c.generations.values()) statuses.set(s, (statuses.get(s) ?? 0) + 1);

  // Stop the server (SIGTERM: it finishes what it holds and flushes its log), then read its log.
  const stopStart = performance.now();
  const stopped = await stopServer();
  const stopMs = performance.now() - stopStart;
  const serverSide = new Map<string, { status: number; ms: number }>();
  const log = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
  const errors: string[] = [];
  for (const line of log) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as {
      level: number;
      reqId?: string;
      msg?: string;
      res?: { statusCode: number };
      responseTime?: number;
    };
    if (entry.level >= 50) errors.push(line);
    if (entry.msg === 'request completed' && entry.reqId && entry.res) {
      serverSide.set(entry.reqId, { status: entry.res.statusCode, ms: entry.responseTime ?? Number.NaN });
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Report.
  const seconds = MIX_MS / 1000;
  console.log(
    `mixed load: ${ACCOUNTS} accounts for ${fmt(seconds, 1)} s (one rate-limit window), each limited to ` +
      `${RATE_LIMIT} requests/min and sending ${OVERDRIVE_MIN}–${OVERDRIVE_MAX}× that ` +
      `(${fmt((ACCOUNTS * RATE_LIMIT * (OVERDRIVE_MIN + OVERDRIVE_MAX)) / 2 / 60, 0)} req/s offered), ` +
      `at most ${IN_FLIGHT_CAP} in flight per account`,
  );
  console.log(
    `server: ${fromSource ? '`fitroom serve` from the sources (tsx)' : 'compiled `fitroom serve`'}, pid ${pid}, default configuration except ${deviations}`,
  );
  console.log(`mix: ${MIX.map(([r, w]) => `${ROUTE_NAMES[r]} ${Math.round(w * 100)}%`).join(', ')}`);
  console.log(
    `photos: uploads ${persons.map((p) => p.name).join(', ')}; products ${garments.map((g) => g.name).join(', ')}`,
  );
  console.log('');
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const ms = (x: number) => (x >= 10_000 ? fmt(x, 0) : fmt(x, 1));
  const serverMs = (ids: string[]) => ids.map((id) => serverSide.get(id)?.ms).filter((x) => x !== undefined);
  const row = (name: string, lat: number[], ids: string[], l: number, other: number, none: number) => {
    const srv = serverMs(ids);
    console.log(
      `${name.padEnd(22)}${pad(lat.length + l + other + none, 6)}${pad(lat.length, 6)}` +
        `${pad(fmt(lat.length / seconds, 1), 7)}${pad(ms(percentile(lat, 50)), 8)}${pad(ms(percentile(lat, 99)), 8)}` +
        `${pad(ms(percentile(srv, 50)), 8)}${pad(ms(percentile(srv, 99)), 8)}${pad(l, 6)}${pad(other, 6)}${pad(none, 5)}`,
    );
  };
  console.log(`${''.padEnd(22)}${pad('', 6)}${pad('', 6)}${pad('', 7)}${pad('client', 16)}${pad('server log', 16)}`);
  console.log(
    `${'route'.padEnd(22)}${pad('sent', 6)}${pad('2xx', 6)}${pad('2xx/s', 7)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}` +
      `${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('429', 6)}${pad('other', 6)}${pad('none', 5)}`,
  );
  const all: number[] = [];
  const allIds: string[] = [];
  let limited = 0;
  for (const [route] of MIX) {
    const lat = mix.ok.get(route) ?? [];
    const ids = mix.okIds.get(route) ?? [];
    all.push(...lat);
    allIds.push(...ids);
    const l = mix.limited.get(route)?.length ?? 0;
    limited += l;
    row(ROUTE_NAMES[route], lat, ids, l, mix.unexpectedByRoute.get(route) ?? 0, mix.unansweredByRoute.get(route) ?? 0);
  }
  row('all routes', all, allIds, limited, mix.unexpected.length, mix.unanswered.length);
  const limitedLat = [...mix.limited.values()].flat();
  console.log(
    `  2xx/s over the 60 s. Latencies of the 2xx answers: as the client saw them (send to last byte), and the ` +
      `server's own responseTime from its log (from reading the request to answering). 429: RATE_LIMITED answers ` +
      `(client p50 ${ms(percentile(limitedLat, 50))} ms, p99 ${ms(percentile(limitedLat, 99))} ms). other: any other ` +
      `answer. none: no answer within ${REQUEST_TIMEOUT_MS / 1000} s. Sends skipped with ${IN_FLIGHT_CAP} in flight: ` +
      `${mix.skipped}. The last answer came ${fmt(Math.max(0, drainMs) / 1000, 1)} s after the last send was due.`,
  );
  console.log(
    `server CPU during the mix: ${fmt(cpu, 1)} s (${fmt(cpu / seconds, 2)} cores); RSS before ${mb(rssBefore)}, ` +
      `peak during the mix ${mb(rssPeak)} (VmRSS every 200 ms), VmHWM ${mb(hwm)}`,
  );
  console.log(
    `machine: ${cpus().length} cores, load average ${fmt(load0, 1)} at the start of the mix and ${fmt(load1, 1)} at ` +
      `its end; this load generator used ${fmt(ownCpu / seconds, 2)} cores`,
  );
  const describe = (xs: Array<{ at: number; ms: number }>) => {
    const worst = xs.reduce((w, h) => (h.ms > w.ms ? h : w), { at: 0, ms: 0 });
    return (
      `${xs.length} probes, p50 ${ms(
        percentile(
          xs.map((h) => h.ms),
          50,
        ),
      )} ms, longest ${ms(worst.ms)} ms ` +
      `(sent at ${fmt(worst.at / 1000, 1)} s), ${xs.filter((h) => h.ms > 1000).length} over 1 s`
    );
  };
  console.log(`GET /healthz every 500 ms during the mix, on one kept-alive connection: ${describe(healthz)}`);
  console.log(`                                           each on a new connection: ${describe(healthzNew)}`);
  console.log(
    `generations made in the mix: ${[...statuses].map(([st, n]) => `${st} ${n}`).join(', ')}` +
      (pendingLeft ? ` (${pendingLeft} still not finished after the mix)` : ''),
  );
  console.log(`unexpected answers (not 2xx, not 429 RATE_LIMITED): ${mix.unexpected.length} (target 0)`);
  for (const u of mix.unexpected.slice(0, 10)) console.log(`  ${u.route}: ${u.status} ${u.code} (${u.id})`);
  console.log(`requests without an answer: ${mix.unanswered.length}`);
  const byError = new Map<string, number>();
  for (const u of mix.unanswered) byError.set(`${u.route}: ${u.code}`, (byError.get(`${u.route}: ${u.code}`) ?? 0) + 1);
  for (const [what, n] of byError) console.log(`  ${n} × ${what}`);

  const bPolls = [...(baselineBefore.ok.get('poll') ?? []), ...(baselineAfter.ok.get('poll') ?? [])];
  const mPolls = mix.ok.get('poll') ?? [];
  const bOdd = [baselineBefore, baselineAfter].flatMap((t) => [...t.unexpected, ...t.unanswered]);
  const bLimited = (baselineBefore.limited.get('poll')?.length ?? 0) + (baselineAfter.limited.get('poll')?.length ?? 0);
  console.log('');
  console.log(
    `baseline: the mix's polls alone (20 other accounts, the same polls/s and in-flight cap per account, no other ` +
      `route), ${baselineBefore.ok.get('poll')?.length ?? 0} polls before the mix and ` +
      `${baselineAfter.ok.get('poll')?.length ?? 0} after: p50 ${ms(percentile(bPolls, 50))} ms, p99 ` +
      `${ms(percentile(bPolls, 99))} ms (p99 before ${ms(percentile(baselineBefore.ok.get('poll') ?? [], 99))} ms, ` +
      `after ${ms(percentile(baselineAfter.ok.get('poll') ?? [], 99))} ms); 429: ${bLimited}; other or none: ${bOdd.length}`,
  );
  for (const u of bOdd.slice(0, 5)) console.log(`  ${u.route}: ${u.status} ${u.code} (${u.id})`);
  console.log(
    `poll latency under the mix / alone: p50 ${fmt(percentile(mPolls, 50) / percentile(bPolls, 50))}×, ` +
      `p99 ${fmt(percentile(mPolls, 99) / percentile(bPolls, 99))}×`,
  );

  const noLogLine = mix.answered.filter((id) => !serverSide.has(id));
  console.log('');
  console.log(
    `server log: ${log.length} lines, ${errors.length} at level error or fatal; of the mix's ${mix.answered.length} ` +
      `answered requests, ${noLogLine.length} without a 'request completed' line`,
  );
  for (const l of errors.slice(0, 5)) console.log(`  ${l.slice(0, 240)}`);
  console.log(
    stopped.startsWith('exit')
      ? `the server stopped ${fmt(stopMs / 1000, 1)} s after SIGTERM (${stopped})`
      : `the server was not running at the end: ${stopped}`,
  );
} finally {
  await stopServer();
  if (process.env.BENCH_KEEP === '1') console.log(`kept the data directory and server.log: ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
}

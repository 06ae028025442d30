/**
 * The polling fast path must answer and log exactly as the Fastify route does. Each case sends the same request
 * over real HTTP twice, with the fast path on (in front of Fastify) and off (Fastify's route), and compares status,
 * body (byte for byte), headers, and the log lines of each request, at LOG_LEVEL=debug so that the `incoming request`
 * line is compared too (at info, the default, only `request completed` and the error handler's lines are written:
 * checked at the end); `pollFastPath.served` tells which path answered.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { EngineError, type TryOnEngine, type TryOnInput } from '@fitroom/engine';
import type { LogOutput } from '../logging.js';
import { ManualClock } from '../ports/clock.js';
import { createTestContext, fixtureTryOn, postTryOn, type TestContext } from '../testing/test-server.js';

type LogLine = Record<string, unknown>;

/** A log output keeping every line in memory, as the server would have written it. */
function capturedLog(): LogOutput & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line)) }, flush: async () => {} };
}

/**
 * The lines with this request id from index `from` on, once its `request completed` line is there (Fastify and the
 * fast path log it on the response's 'finish', which may come after the client has the answer).
 */
async function linesOf(log: { lines: LogLine[] }, reqId: string, from: number): Promise<LogLine[]> {
  const mine = () => log.lines.slice(from).filter((l) => l.reqId === reqId);
  for (let i = 0; i < 100 && !mine().some((l) => l.msg === 'request completed'); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return mine();
}

/**
 * A request's lines with what may differ between two requests replaced by its kind: the time, the response time,
 * the request id (checked against the answer's x-request-id first) and the client's port (a new connection may be
 * used).
 */
function comparable(lines: LogLine[], reqId: string): LogLine[] {
  return lines.map((line) => {
    const { time, responseTime, reqId: id, ...rest } = line;
    assert.equal(typeof time, 'number');
    assert.equal(id, reqId);
    // The fields' order too, as written.
    const out: LogLine = { ...rest, time: 'number', reqId: 'x-request-id', fields: Object.keys(line).join() };
    if (responseTime !== undefined) {
      assert.ok(typeof responseTime === 'number' && responseTime >= 0, `responseTime ${responseTime}`);
      out.responseTime = 'number';
    }
    // The client's port is in the `incoming request` line (debug) only.
    const req = rest.req as Record<string, unknown> | undefined;
    if (req && 'remotePort' in req) {
      assert.equal(typeof req.remotePort, 'number');
      out.req = { ...req, remotePort: 'number' };
    }
    return out;
  });
}

/** An engine whose try-ons run until released (a generation in PROCESSING) or fail with a typed error. */
class ScriptedEngine implements TryOnEngine {
  release!: () => void;
  private readonly held = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  constructor(
    readonly name: string,
    private readonly fail: boolean,
  ) {}
  async tryOn(input: TryOnInput) {
    if (this.fail) throw new EngineError('NO_PERSON_DETECTED', 'No person in the photo.');
    await this.held;
    return { image: input.person, contentType: 'image/jpeg' as const, width: 0, height: 0 };
  }
  async close() {
    this.release();
  }
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | undefined>;
  /** The request's log lines, made comparable. */
  log: LogLine[];
}

describe('polling fast path (GET /generations/:id in front of Fastify)', () => {
  let ctx: TestContext;
  const log = capturedLog();
  const clock = new ManualClock('2026-05-13T10:00:00.000Z');
  const held = new ScriptedEngine('held', false);
  const failing = new ScriptedEngine('failing', true);
  const ids: Record<'completed' | 'failed' | 'processing', string> = { completed: '', failed: '', processing: '' };

  async function submit(apiKey: string): Promise<string> {
    const res = await postTryOn(ctx, ...fixtureTryOn({ title: 'shirt' }), { apiKey });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().generationId;
  }

  /** An account using `engine`, with one generation submitted. */
  async function accountWith(engine: string | null) {
    const account = await ctx.newAccount(10);
    await ctx.deps.accounts.update(account.id, { engine });
    return { ...account, generationId: await submit(account.apiKey) };
  }

  before(async () => {
    ctx = await createTestContext({
      listen: true,
      env: { LOG_LEVEL: 'debug' },
      logOutput: log,
      clock,
      extraEngines: new Map<string, TryOnEngine>([
        ['held', held],
        ['failing', failing],
      ]),
    });
    const completed = await accountWith('mock');
    const failed = await accountWith('failing');
    const processing = await accountWith('held');
    ids.completed = completed.generationId;
    ids.failed = failed.generationId;
    ids.processing = processing.generationId;
    await ctx.deps.generations.waitForTerminal(ids.completed, 20_000);
    await ctx.deps.generations.waitForTerminal(ids.failed, 20_000);
    while ((await ctx.deps.generations.find(ids.processing))?.status !== 'PROCESSING') {
      await new Promise((r) => setTimeout(r, 20));
    }
    // The generations are polled below with the main test key: give them to the main account.
    for (const id of Object.values(ids)) {
      await ctx.deps.db.updateTable('generations').set({ account_id: ctx.accountId }).where('id', '=', id).execute();
    }
  });
  after(async () => {
    held.release();
    await ctx.close();
  });

  const pick = (h: Record<string, unknown>): Answer['headers'] => {
    const out: Answer['headers'] = {};
    for (const name of [
      'content-type',
      'x-request-id',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'retry-after',
    ]) {
      out[name] = h[name] === undefined ? undefined : String(h[name]);
    }
    return out;
  };

  /** The request's answer; headers given as a list (name, value, …) are sent as they are, repeated names included. */
  async function send(method: string, path: string, headers: Record<string, string> | string[]) {
    if (!Array.isArray(headers)) {
      const res = await fetch(`${ctx.baseUrl}${path}`, { method, headers });
      const seen: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        seen[name] = value;
      });
      return { status: res.status, headers: seen, body: await res.text() };
    }
    return new Promise<{ status: number; headers: Record<string, string>; body: string }>((resolve, reject) => {
      const req = request(`${ctx.baseUrl}${path}`, { method, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          const seen: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) seen[name] = String(value);
          resolve({ status: res.statusCode!, headers: seen, body });
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  async function overHttp(method: string, path: string, headers: Record<string, string> | string[]) {
    const before = ctx.app.pollFastPath.served;
    const from = log.lines.length;
    const res = await send(method, path, headers);
    const reqId = res.headers['x-request-id']!;
    const answer: Answer = {
      status: res.status,
      body: res.body,
      headers: pick(res.headers),
      log: comparable(await linesOf(log, reqId, from), reqId),
    };
    return { answer, fast: ctx.app.pollFastPath.served - before === 1 };
  }

  /** The same request over HTTP with the fast path off: Fastify's route answers (and logs) it. */
  async function throughFastify(
    method: string,
    path: string,
    headers: Record<string, string> | string[],
  ): Promise<Answer> {
    ctx.app.pollFastPath.enabled = false;
    try {
      const { answer, fast } = await overHttp(method, path, headers);
      assert.equal(fast, false);
      return answer;
    } finally {
      ctx.app.pollFastPath.enabled = true;
    }
  }

  /**
   * Asserts both paths give the same answer. The HTTP request goes first, so when both are counted Fastify's
   * `x-ratelimit-remaining` is one lower; a generated request id differs per request but has the same form.
   */
  async function assertSameAnswer(
    path: string,
    headers: Record<string, string> | string[],
    expectFast: boolean,
    method = 'GET',
  ) {
    const { answer: http, fast } = await overHttp(method, path, headers);
    const fastify = await throughFastify(method, path, headers);
    assert.equal(fast, expectFast, `${path}: answered by the ${fast ? 'fast path' : 'Fastify route'}`);
    assert.equal(http.status, fastify.status, `${path}: status`);
    assert.equal(http.body, fastify.body, `${path}: body`);
    const counted = http.headers['x-ratelimit-remaining'] !== undefined;
    const { 'x-request-id': httpId, 'x-ratelimit-remaining': httpLeft, ...httpRest } = http.headers;
    const { 'x-request-id': fastifyId, 'x-ratelimit-remaining': fastifyLeft, ...fastifyRest } = fastify.headers;
    assert.deepEqual(httpRest, fastifyRest, `${path}: headers`);
    const sentId = Array.isArray(headers) ? undefined : headers['x-request-id'];
    if (sentId === 'client-42.a:b') assert.equal(httpId, fastifyId, `${path}: echoed request id`);
    else {
      assert.match(httpId!, /^req_[0-9a-f-]{36}$/);
      assert.match(fastifyId!, /^req_[0-9a-f-]{36}$/);
    }
    if (counted) assert.equal(Number(fastifyLeft), Math.max(0, Number(httpLeft) - 1), `${path}: remaining`);
    else assert.equal(httpLeft, fastifyLeft);
    assert.deepEqual(http.log, fastify.log, `${path}: log lines`);
    const messages = http.log.map((l) => l.msg);
    assert.equal(messages.filter((m) => m === 'incoming request').length, 1, `${path}: ${messages.join()}`);
    assert.equal(messages.filter((m) => m === 'request completed').length, 1, `${path}: ${messages.join()}`);
    return http;
  }

  const key = () => ({ 'x-api-key': ctx.apiKey });

  test('answers a generation in each state exactly as the Fastify route', async () => {
    for (const [state, id] of Object.entries(ids)) {
      const answer = await assertSameAnswer(`/generations/${id}`, key(), true);
      assert.equal(answer.status, 200);
      assert.equal(JSON.parse(answer.body).status, state.toUpperCase());
    }
    const completed = JSON.parse((await overHttp('GET', `/generations/${ids.completed}`, key())).answer.body);
    // A signed URL: the files route's own, or the bucket's presigned one (FITROOM_TEST_S3).
    assert.match(completed.resultImageUrl, /\/files\/.+\?exp=\d+&sig=|X-Amz-Signature=/);
  });

  test('404 for an unknown id, 403 for another account’s generation', async () => {
    const unknown = await assertSameAnswer('/generations/gen_doesnotexist', key(), true);
    assert.equal(JSON.parse(unknown.body).code, 'GENERATION_NOT_FOUND');
    const other = await ctx.newAccount(1);
    const forbidden = await assertSameAnswer(`/generations/${ids.completed}`, { 'x-api-key': other.apiKey }, true);
    assert.equal(forbidden.status, 403);
    assert.equal(JSON.parse(forbidden.body).code, 'FORBIDDEN');
  });

  test('echoes a well-formed x-request-id and replaces a malformed one; ignores a query string', async () => {
    await assertSameAnswer(`/generations/${ids.completed}`, { ...key(), 'x-request-id': 'client-42.a:b' }, true);
    await assertSameAnswer(`/generations/${ids.completed}`, { ...key(), 'x-request-id': 'bad id <script>' }, true);
    await assertSameAnswer(`/generations/${ids.completed}?cache=1`, key(), true);
    // A query that JSON must escape in the logged url, and the accept-version header Fastify logs as `version`.
    await assertSameAnswer(`/generations/${ids.completed}?q=a\\b'c`, { ...key(), 'accept-version': '1.x' }, true);
  });

  test('reads the headers as Node does: names in any case, a repeated host first, other repeated names joined', async () => {
    const path = `/generations/${ids.completed}`;
    // Fast path and Fastify both: host 'first.example' logged, accept-version '1.x, 2.x', a joined x-request-id
    // (not well-formed: a new one each).
    const mixed = [
      'X-Api-Key',
      ctx.apiKey,
      'HOST',
      'first.example',
      'host',
      'second.example',
      'Accept-Version',
      '1.x',
      'accept-version',
      '2.x',
      'X-Request-ID',
      'client-1',
      'x-request-id',
      'client-2',
    ];
    const answer = await assertSameAnswer(path, mixed, true);
    const incoming = answer.log.find((l) => l.msg === 'incoming request')!.req as Record<string, unknown>;
    assert.equal(incoming.host, 'first.example');
    assert.equal(incoming.version, '1.x, 2.x');
    // A repeated key is joined too: no account has that key, so the request is Fastify's (401 from both).
    const twoKeys = ['x-api-key', ctx.apiKey, 'X-API-KEY', ctx.apiKey];
    const unauthorized = await assertSameAnswer(path, twoKeys, false);
    assert.equal(unauthorized.status, 401);
  });

  test('counts against the rate limit and answers 429 with retry-after once it is exceeded', async () => {
    const limited = await ctx.newAccount(1);
    await ctx.deps.accounts.update(limited.id, { rateLimitPerMin: 4 });
    const headers = { 'x-api-key': limited.apiKey };
    const first = await assertSameAnswer(`/generations/${ids.completed}`, headers, true); // fast counts 1, Fastify 2
    assert.equal(first.headers['x-ratelimit-remaining'], '3');
    const second = await assertSameAnswer(`/generations/${ids.completed}`, headers, true); // 3 and 4
    assert.equal(second.status, 403); // within the limit: the generation is not this account's
    const third = await assertSameAnswer(`/generations/${ids.completed}`, headers, true); // 5 and 6: both over
    assert.equal(third.status, 429);
    assert.equal(JSON.parse(third.body).code, 'RATE_LIMITED');
    assert.ok(Number(third.headers['retry-after']) > 0);
  });

  test('leaves everything else to Fastify, having counted nothing', async () => {
    const path = `/generations/${ids.completed}`;
    // No key, an unknown key, an empty key: 401 (and the per-address count of failed authentications).
    assert.equal((await assertSameAnswer(path, {}, false)).status, 401);
    assert.equal((await assertSameAnswer(path, { 'x-api-key': 'gk_nope' }, false)).status, 401);
    assert.equal((await assertSameAnswer(path, { 'x-api-key': '' }, false)).status, 401);
    // Ids the fast path does not decode or validate: percent-encoded, too long, a trailing slash.
    const encoded = await assertSameAnswer(`/generations/${ids.completed.replace('_', '%5F')}`, key(), false);
    assert.equal(encoded.status, 200);
    assert.equal((await assertSameAnswer(`/generations/${'x'.repeat(65)}`, key(), false)).status, 400);
    await assertSameAnswer(`${path}/`, key(), false);
    await assertSameAnswer(path, key(), false, 'HEAD');
    await assertSameAnswer(path, key(), false, 'DELETE');
  });

  test('logs neither the API key nor an authorization header', async () => {
    const headers = { ...key(), authorization: 'Bearer not-to-be-logged' };
    const from = log.lines.length;
    await assertSameAnswer(`/generations/${ids.completed}`, headers, true);
    await assertSameAnswer('/generations/gen_doesnotexist', headers, true);
    const written = JSON.stringify(log.lines.slice(from));
    assert.ok(written.includes('incoming request') && written.includes('request completed'));
    assert.ok(!written.includes(ctx.apiKey) && !written.includes('not-to-be-logged'));
  });

  test('a revoked key stops working on the fast path at once', async () => {
    const account = await ctx.newAccount(1);
    const extra = await ctx.deps.accounts.createKey(account.id);
    const headers = { 'x-api-key': extra.apiKey };
    assert.equal((await overHttp('GET', `/generations/${ids.completed}`, headers)).answer.status, 403);
    await ctx.deps.accounts.revokeKey(extra.id);
    const after = await assertSameAnswer(`/generations/${ids.completed}`, headers, false);
    assert.equal(after.status, 401);
  });
});

describe('polling fast path: log lines behind a proxy and at other levels', () => {
  /** A server with `env`; one poll of an unknown generation with the fast path on, then off. */
  async function pollBothWays(env: Record<string, string>, headers: Record<string, string>) {
    const log = capturedLog();
    const ctx = await createTestContext({ listen: true, env, logOutput: log, workers: false });
    try {
      const poll = async () => {
        const from = log.lines.length;
        const res = await fetch(`${ctx.baseUrl}/generations/gen_unknown`, {
          headers: { 'x-api-key': ctx.apiKey, ...headers },
        });
        assert.equal(res.status, 404);
        await res.text();
        const reqId = res.headers.get('x-request-id')!;
        // At warn nothing is logged for the request: wait as for a `request completed` line, then look.
        return comparable(await linesOf(log, reqId, from), reqId);
      };
      const fast = await poll();
      assert.equal(ctx.app.pollFastPath.served, 1);
      ctx.app.pollFastPath.enabled = false;
      const fastify = await poll();
      assert.equal(ctx.app.pollFastPath.served, 1);
      return { fast, fastify };
    } finally {
      await ctx.close();
    }
  }

  test('at LOG_LEVEL=info (the default): one line per request, `request completed`, as Fastify writes it', async () => {
    const { fast, fastify } = await pollBothWays({ LOG_LEVEL: 'info' }, {});
    assert.deepEqual(fast, fastify);
    // The 404's own line (the error handler's), then the request's.
    assert.deepEqual(
      fast.map((l) => l.msg),
      ['request rejected', 'request completed'],
    );
    const completed = fast[1]!;
    assert.equal(completed.fields, 'level,time,pid,hostname,reqId,req,res,responseTime,msg');
    assert.deepEqual(completed.req, {
      method: 'GET',
      url: '/tryon/v1/generations/gen_unknown',
      remoteAddress: '127.0.0.1',
    });
    assert.deepEqual(completed.res, { statusCode: 404 });
  });

  test('TRUST_PROXY: the client address and host are the forwarded ones, as Fastify logs them', async () => {
    const { fast, fastify } = await pollBothWays(
      { LOG_LEVEL: 'debug', TRUST_PROXY: 'true' },
      { 'x-forwarded-for': '203.0.113.7, 10.0.0.1', 'x-forwarded-host': 'shop.example, proxy.example' },
    );
    assert.deepEqual(fast, fastify);
    const incoming = fast.find((l) => l.msg === 'incoming request')!.req as Record<string, unknown>;
    assert.equal(incoming.remoteAddress, '203.0.113.7');
    assert.equal(incoming.host, 'proxy.example');
    const completed = fast.find((l) => l.msg === 'request completed')!.req as Record<string, unknown>;
    assert.equal(completed.remoteAddress, '203.0.113.7');
  });

  test('at LOG_LEVEL=warn the fast path answers and, like Fastify, logs no request line', async () => {
    const { fast, fastify } = await pollBothWays({ LOG_LEVEL: 'warn' }, {});
    assert.deepEqual(fast, []);
    assert.deepEqual(fastify, []);
  });
});

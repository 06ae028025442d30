import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  AuthenticationError,
  FitroomError,
  GenerationNotFoundError,
  InsufficientCreditsError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  ProductNotFoundError,
  RateLimitedError,
  RequestAbortedError,
  ValidationError,
} from './errors.js';
import { GenlookError } from './index.js';
import { testClient as client, localApis, sendError, sendJson } from './local-api.test.support.js';
import { backoffDelayMs, parseRetryAfter } from './transport.js';

const api = localApis();

const TRY_ON = { products: [{ externalId: 'p1' }], person: { image: { source: { id: 'img_1' } } } };

describe('retries', () => {
  test('503 twice then 200: succeeds after exactly 3 requests', async () => {
    const s = await api((_req, res, i) => {
      if (i < 2) sendError(res, 503, 'INTERNAL_ERROR');
      else sendJson(res, 200, { creditBalance: 7 });
    });
    const t0 = Date.now();
    const out = await client(s.baseUrl).account.credits();
    assert.deepEqual(out, { creditBalance: 7 });
    assert.equal(s.requests.length, 3);
    // Two backoff sleeps of 250–500 ms and 500–1000 ms: at least 750 ms in total.
    assert.ok(Date.now() - t0 >= 700, `backoff too short: ${Date.now() - t0} ms`);
    for (const r of s.requests) {
      assert.equal(r.method, 'GET');
      assert.equal(r.url, '/tryon/v1/account/credits');
      assert.equal(r.headers['x-api-key'], 'gk_test');
    }
  });

  test('gives up after maxRetries and throws the last error', async () => {
    const s = await api((_req, res) => sendError(res, 500, 'INTERNAL_ERROR', { 'x-request-id': 'req-500' }));
    const err = await client(s.baseUrl, { maxRetries: 1 })
      .account.credits()
      .catch((e: unknown) => e);
    assert.ok(err instanceof InternalServerError);
    assert.equal(err.status, 500);
    assert.equal(err.requestId, 'req-500');
    assert.equal(s.requests.length, 2);
  });

  test('maxRetries: 0 per call means one attempt', async () => {
    const s = await api((_req, res) => sendError(res, 502, 'BAD_GATEWAY'));
    await assert.rejects(client(s.baseUrl).account.credits({ maxRetries: 0 }), InternalServerError);
    assert.equal(s.requests.length, 1);
  });

  test('429 with retry-after (seconds) is honoured, then the error carries retryAfterMs', async () => {
    const times: number[] = [];
    const s = await api((_req, res, i) => {
      times.push(Date.now());
      if (i === 0) sendError(res, 429, 'RATE_LIMITED', { 'retry-after': '1' });
      else sendJson(res, 200, { creditBalance: 1 });
    });
    await client(s.baseUrl).account.credits();
    assert.equal(s.requests.length, 2);
    const gap = times[1]! - times[0]!;
    assert.ok(gap >= 950 && gap < 2500, `waited ${gap} ms for retry-after: 1`);

    const s2 = await api((_req, res) => sendError(res, 429, 'RATE_LIMITED', { 'retry-after': '0' }));
    const err = await client(s2.baseUrl, { maxRetries: 2 })
      .account.credits()
      .catch((e: unknown) => e);
    assert.ok(err instanceof RateLimitedError);
    assert.equal(err.retryAfterMs, 0);
    assert.equal(s2.requests.length, 3);
  });

  test('429 with a retry-after HTTP date is honoured', async () => {
    const times: number[] = [];
    const s = await api((_req, res, i) => {
      times.push(Date.now());
      // HTTP dates have 1 s resolution: 2 s ahead means a wait of 1–2 s.
      if (i === 0) sendError(res, 429, 'RATE_LIMITED', { 'retry-after': new Date(Date.now() + 2000).toUTCString() });
      else sendJson(res, 200, { creditBalance: 1 });
    });
    await client(s.baseUrl).account.credits();
    const gap = times[1]! - times[0]!;
    assert.ok(gap >= 900, `waited only ${gap} ms`);
  });

  test('a retry-after beyond 60 s is not slept through: the error is thrown at once', async () => {
    const s = await api((_req, res) => sendError(res, 429, 'RATE_LIMITED', { 'retry-after': '120' }));
    const t0 = Date.now();
    const err = await client(s.baseUrl)
      .account.credits()
      .catch((e: unknown) => e);
    assert.ok(err instanceof RateLimitedError);
    assert.equal(err.retryAfterMs, 120_000);
    assert.equal(s.requests.length, 1);
    // Sleeping through it would take the full 120 s; the bound is the 60-s cap, far from any machine's noise.
    assert.ok(Date.now() - t0 < 60_000);
  });

  test('POST /try-on is not retried on 503 without an idempotency key', async () => {
    const s = await api((_req, res) => sendError(res, 503, 'INTERNAL_ERROR'));
    await assert.rejects(client(s.baseUrl).tryOn.create(TRY_ON), InternalServerError);
    assert.equal(s.requests.length, 1);
    await assert.rejects(client(s.baseUrl).tryOn.createSync(TRY_ON), InternalServerError);
    assert.equal(s.requests.length, 2);
    assert.equal(s.requests[1]!.url, '/tryon/v1/try-on/sync');
  });

  test('POST /try-on is retried on 503 with an idempotency key, which is sent on every attempt', async () => {
    const s = await api((_req, res, i) => {
      if (i < 2) sendError(res, 503, 'INTERNAL_ERROR');
      else sendJson(res, 200, { generationId: 'gen_1', status: 'PENDING', productExternalId: 'p1' });
    });
    const out = await client(s.baseUrl).tryOn.create(TRY_ON, { idempotencyKey: 'key-1' });
    assert.equal(out.generationId, 'gen_1');
    assert.equal(s.requests.length, 3);
    for (const r of s.requests) {
      assert.equal(r.headers['idempotency-key'], 'key-1');
      assert.deepEqual(JSON.parse(r.body.toString()), TRY_ON);
    }
  });

  test('POST /try-on is retried on 429 even without a key (a 429 is answered before anything runs)', async () => {
    const s = await api((_req, res, i) => {
      if (i === 0) sendError(res, 429, 'RATE_LIMITED', { 'retry-after': '0' });
      else sendJson(res, 200, { generationId: 'gen_1', status: 'PENDING', productExternalId: 'p1' });
    });
    await client(s.baseUrl).tryOn.create(TRY_ON);
    assert.equal(s.requests.length, 2);
    assert.equal(s.requests[0]!.headers['idempotency-key'], undefined);
  });

  test('POST /try-on is retried on 408 and on the server’s 503 SERVICE_UNAVAILABLE, not on another 503', async () => {
    for (const [status, code, attempts] of [
      [408, 'REQUEST_TIMEOUT', 2],
      [503, 'SERVICE_UNAVAILABLE', 2],
      [503, 'HTTP_503', 1],
    ] as const) {
      const s = await api((_req, res, i) => {
        if (i === 0) sendError(res, status, code, { 'retry-after': '0' });
        else sendJson(res, 200, { generationId: 'gen_1', status: 'PENDING', productExternalId: 'p1' });
      });
      const result = await client(s.baseUrl)
        .tryOn.create(TRY_ON)
        .catch((e: unknown) => e);
      assert.equal(s.requests.length, attempts, `${status} ${code}`);
      if (attempts === 1) assert.ok(result instanceof InternalServerError);
    }
  });

  test('4xx other than 429 and 408 is never retried', async () => {
    const s = await api((_req, res) => sendError(res, 400, 'VALIDATION_FAILED'));
    await assert.rejects(client(s.baseUrl).products.list({ limit: 0 }), ValidationError);
    assert.equal(s.requests.length, 1);
  });

  test('network errors are retried for GET, then surface as APIConnectionError', async () => {
    // A server that accepts and immediately destroys every connection.
    const s = await api((req, res) => {
      void req;
      res.socket?.destroy();
    });
    const err = await client(s.baseUrl, { maxRetries: 1 })
      .account.credits()
      .catch((e: unknown) => e);
    assert.ok(err instanceof APIConnectionError);
    assert.equal(err.code, 'CONNECTION_ERROR');
    assert.equal(err.status, undefined);
    assert.equal(s.requests.length, 2);
  });

  test('connection refused surfaces as APIConnectionError', async () => {
    const s = await api((_req, res) => sendJson(res, 200, {}));
    const url = s.baseUrl;
    await s.close();
    await assert.rejects(client(url, { maxRetries: 0 }).account.credits(), APIConnectionError);
  });
});

describe('error mapping', () => {
  const cases: Array<[number, string, new (...a: never[]) => FitroomError]> = [
    [401, 'MISSING_API_KEY', AuthenticationError],
    [401, 'INVALID_API_KEY', AuthenticationError],
    [402, 'INSUFFICIENT_CREDITS', InsufficientCreditsError],
    [402, 'QUOTA_EXCEEDED', InsufficientCreditsError],
    [403, 'FORBIDDEN', PermissionDeniedError],
    [400, 'VALIDATION_FAILED', ValidationError],
    [400, 'EXTERNAL_ID_REQUIRED', ValidationError],
    [400, 'MULTIPART_FILE_NOT_FOUND', ValidationError],
    [400, 'INVALID_IMAGE', ValidationError],
    [413, 'FILE_TOO_LARGE', ValidationError],
    [414, 'URI_TOO_LONG', ValidationError],
    [431, 'HEADERS_TOO_LARGE', ValidationError],
    [404, 'PRODUCT_NOT_FOUND', ProductNotFoundError],
    [404, 'GENERATION_NOT_FOUND', GenerationNotFoundError],
    [404, 'NOT_FOUND', NotFoundError],
    [429, 'RATE_LIMITED', RateLimitedError],
    [500, 'INTERNAL_ERROR', InternalServerError],
    [418, 'TEAPOT', FitroomError],
  ];
  for (const [status, code, cls] of cases) {
    test(`${status} ${code} → ${cls.name}`, async () => {
      const s = await api((_req, res) =>
        sendJson(
          res,
          status,
          {
            code,
            message: `msg ${code}`,
            status,
            ...(code === 'VALIDATION_FAILED' ? { details: [{ path: 'limit', message: 'Too small' }] } : {}),
          },
          { 'x-request-id': `req-${code}`, 'retry-after': '0' },
        ),
      );
      const err = await client(s.baseUrl, { maxRetries: 0 })
        .products.retrieve('p1')
        .catch((e: unknown) => e);
      assert.ok(err instanceof cls, `got ${String(err)}`);
      assert.ok(err instanceof FitroomError);
      assert.ok(err instanceof GenlookError);
      assert.equal(err.constructor, cls);
      assert.equal(err.code, code);
      assert.equal(err.status, status);
      assert.equal(err.message, `msg ${code}`);
      assert.equal(err.requestId, `req-${code}`);
      assert.equal(err.name, cls.name);
      if (code === 'VALIDATION_FAILED') assert.deepEqual(err.details, [{ path: 'limit', message: 'Too small' }]);
      else assert.equal(err.details, undefined);
    });
  }

  test('requestId falls back to the body; a non-JSON error body still gives a typed error', async () => {
    const s = await api((_req, res, i) => {
      if (i === 0) sendJson(res, 401, { code: 'INVALID_API_KEY', message: 'bad', status: 401, requestId: 'body-id' });
      else {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<h1>nope</h1>');
      }
    });
    const e1 = await client(s.baseUrl)
      .account.credits()
      .catch((e: unknown) => e);
    assert.ok(e1 instanceof AuthenticationError);
    assert.equal(e1.requestId, 'body-id');
    const e2 = await client(s.baseUrl)
      .account.credits()
      .catch((e: unknown) => e);
    assert.ok(e2 instanceof NotFoundError);
    assert.equal(e2.code, 'HTTP_404');
    assert.match(e2.message, /nope/);
  });

  test('a 200 that is not JSON is an INVALID_RESPONSE error (usually a wrong base URL)', async () => {
    const s = await api((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>shop</html>');
    });
    const err = await client(s.baseUrl)
      .account.credits()
      .catch((e: unknown) => e);
    assert.ok(err instanceof FitroomError);
    assert.equal(err.code, 'INVALID_RESPONSE');
  });
});

describe('timeouts and abort', () => {
  test('a slow answer times out per attempt and is retried for GET', async () => {
    const s = await api((_req, res, i) => {
      if (i === 0) setTimeout(() => sendJson(res, 200, { creditBalance: 0 }), 1500);
      else sendJson(res, 200, { creditBalance: 5 });
    });
    const out = await client(s.baseUrl, { timeoutMs: 200 }).account.credits();
    assert.equal(out.creditBalance, 5);
    assert.equal(s.requests.length, 2);
  });

  test('timeout with no retries left → APIConnectionTimeoutError', async () => {
    const s = await api((_req, res) => {
      setTimeout(() => sendJson(res, 200, { creditBalance: 0 }), 1500);
    });
    const err = await client(s.baseUrl, { timeoutMs: 150, maxRetries: 0 })
      .account.credits()
      .catch((e: unknown) => e);
    // Without the timeout the slow answer would arrive and resolve: the error itself shows the cut-off.
    assert.ok(err instanceof APIConnectionTimeoutError);
    assert.equal(err.code, 'TIMEOUT');
  });

  test('a try-on timing out is not retried without a key', async () => {
    const s = await api((_req, res) => {
      setTimeout(() => sendJson(res, 200, {}), 1000);
    });
    await assert.rejects(client(s.baseUrl, { timeoutMs: 100 }).tryOn.create(TRY_ON), APIConnectionTimeoutError);
    assert.equal(s.requests.length, 1);
  });

  test('createSync waits at least 100 s by default; a per-call timeoutMs overrides it', async () => {
    const s = await api((_req, res) => {
      setTimeout(() => sendJson(res, 200, {}), 1000);
    });
    // With client timeoutMs 100, createSync still uses max(100, 100 000) and so gets the answer after 1 s...
    const c = client(s.baseUrl, { timeoutMs: 100 });
    await c.tryOn.createSync(TRY_ON);
    // ...unless the call itself sets a shorter one.
    await assert.rejects(c.tryOn.createSync(TRY_ON, { timeoutMs: 100 }), APIConnectionTimeoutError);
  });

  test('an abort signal cancels the request in flight with an AbortError-like error', async () => {
    const s = await api((_req, res) => {
      setTimeout(() => sendJson(res, 200, { creditBalance: 0 }), 2000);
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await client(s.baseUrl)
      .account.credits({ signal: ac.signal })
      .catch((e: unknown) => e);
    assert.ok(err instanceof RequestAbortedError);
    assert.equal(err.name, 'AbortError');
    assert.equal(s.requests.length, 1);
  });

  test('an abort during the backoff sleep stops the retries', async () => {
    const s = await api((_req, res) => sendError(res, 429, 'RATE_LIMITED', { 'retry-after': '30' }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const t0 = Date.now();
    await assert.rejects(client(s.baseUrl).account.credits({ signal: ac.signal }), RequestAbortedError);
    // Sleeping out the 30-s backoff would end in the same error; the bound tells the two apart with a wide margin.
    assert.ok(Date.now() - t0 < 15_000);
    assert.equal(s.requests.length, 1);
    assert.equal(s.requests.length, 1);
  });
});

describe('retry-after and backoff arithmetic', () => {
  test('parseRetryAfter', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter('0.5'), 500);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:10 GMT', now), 0);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
  test('backoffDelayMs doubles, is capped at 8 s and jittered into [50%, 100%]', () => {
    const cases: Array<[retryIndex: number, random: number, expectedMs: number]> = [
      [0, 1, 500],
      [0, 0, 250],
      [2, 1, 2000],
      [10, 1, 8000],
    ];
    for (const [retryIndex, random, expectedMs] of cases) {
      assert.equal(
        backoffDelayMs(retryIndex, () => random),
        expectedMs,
        `retry ${retryIndex}, random ${random}`,
      );
    }
  });
});

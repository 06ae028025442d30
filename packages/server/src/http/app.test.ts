import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, multipart, type TestContext } from '../testing/test-server.js';

const assertEnvelope = (body: Record<string, unknown>, status: number, code: string) => {
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  assert.equal(typeof body.message, 'string');
  for (const k of Object.keys(body)) assert.ok(['code', 'message', 'status', 'details'].includes(k), `unexpected ${k}`);
};

describe('authentication, errors, request ids, rate limits', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ env: { RATE_LIMIT_PER_MIN: '5', TRUST_PROXY: 'true' } });
  });
  after(() => ctx.close());

  test('no x-api-key → 401 MISSING_API_KEY on every contract route', async () => {
    for (const [method, url] of [
      ['GET', '/tryon/v1/account/credits'],
      ['GET', '/tryon/v1/products'],
      ['POST', '/tryon/v1/products'],
      ['POST', '/tryon/v1/images/upload'],
    ] as const) {
      const res = await ctx.app.inject({ method, url });
      assert.equal(res.statusCode, 401, url);
      assertEnvelope(res.json(), 401, 'MISSING_API_KEY');
    }
  });

  test('a wrong key → 401 INVALID_API_KEY; a revoked key stops working', async () => {
    const wrong = await ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': 'gk_wrong' } });
    assertEnvelope(wrong.json(), 401, 'INVALID_API_KEY');

    const acct = await ctx.newAccount(3);
    const key = await ctx.deps.accounts.createKey(acct.id);
    const ok = await ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': key.apiKey } });
    assert.deepEqual(ok.json(), { creditBalance: 3 });
    assert.equal(await ctx.deps.accounts.revokeKey(key.id), true);
    const revoked = await ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': key.apiKey } });
    assertEnvelope(revoked.json(), 401, 'INVALID_API_KEY');
    // The account's other key still works.
    const other = await ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': acct.apiKey } });
    assert.equal(other.statusCode, 200);
  });

  test('a client sending many invalid keys gets 429 after 30 failures a minute; valid keys are unaffected', async () => {
    const from = { 'x-forwarded-for': '203.0.113.7' };
    const codes: string[] = [];
    for (let i = 0; i < 32; i++) {
      const res = await ctx.app.inject({
        url: '/tryon/v1/account/credits',
        headers: { ...from, 'x-api-key': `gk_guess${i}` },
      });
      codes.push(res.json().code);
    }
    assert.deepEqual(codes.slice(0, 30), Array(30).fill('INVALID_API_KEY'));
    assert.deepEqual(codes.slice(30), ['RATE_LIMITED', 'RATE_LIMITED']);
    const limited = await ctx.app.inject({
      url: '/tryon/v1/account/credits',
      headers: { ...from, 'x-api-key': 'gk_again' },
    });
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) >= 0);
    const good = await ctx.app.inject({
      url: '/tryon/v1/account/credits',
      headers: { ...from, 'x-api-key': ctx.apiKey },
    });
    assert.equal(good.statusCode, 200);
  });

  test('keys are stored only as SHA-256 hashes', async () => {
    const rows = await ctx.deps.db.selectFrom('api_keys').selectAll().execute();
    for (const r of rows) {
      assert.match(r.key_hash, /^[0-9a-f]{64}$/);
      assert.notEqual(r.key_hash, ctx.apiKey);
    }
    assert.ok(!rows.some((r) => JSON.stringify(r).includes(ctx.apiKey)));
  });

  test('unknown routes and PATCH /products/:id → 404 NOT_FOUND in the envelope', async () => {
    for (const [method, url] of [
      ['GET', '/nope'],
      ['PATCH', '/tryon/v1/products/p1'],
      ['GET', '/tryon/v1/unknown'],
    ] as const) {
      const res = await ctx.app.inject({ method, url, headers: { 'x-api-key': ctx.apiKey } });
      assert.equal(res.statusCode, 404);
      assertEnvelope(res.json(), 404, 'NOT_FOUND');
    }
  });

  test('x-request-id: a well-formed one is echoed, a malformed one replaced', async () => {
    const echoed = await ctx.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(echoed.headers['x-request-id'], 'abc-123');
    const replaced = await ctx.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id <script>' } });
    assert.match(String(replaced.headers['x-request-id']), /^req_[0-9a-f-]{36}$/);
    const err = await ctx.app.inject({ url: '/tryon/v1/account/credits' });
    assert.ok(err.headers['x-request-id']);
  });

  test('malformed JSON → 400 VALIDATION_FAILED, never a stack trace', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/products',
      headers: { 'x-api-key': ctx.apiKey, 'content-type': 'application/json' },
      payload: '{"externalId": ',
    });
    assert.equal(res.statusCode, 400);
    assertEnvelope(res.json(), 400, 'VALIDATION_FAILED');
    assert.doesNotMatch(res.body, /at .*\.ts:\d+/);
  });

  test('bad bodies: oversized JSON → 413, unknown content type, bad multipart `data` → 400; never a 500', async () => {
    const key = (await ctx.newAccount()).apiKey;
    const post = (payload: string | Buffer, contentType: string, url = '/tryon/v1/products') =>
      ctx.app.inject({ method: 'POST', url, headers: { 'x-api-key': key, 'content-type': contentType }, payload });
    const huge = await post(
      JSON.stringify({ externalId: 'x', description: 'a'.repeat(3 * 1024 * 1024) }),
      'application/json',
    );
    assert.equal(huge.statusCode, 413);
    assertEnvelope(huge.json(), 413, 'FILE_TOO_LARGE');
    const text = await post('externalId=x', 'text/plain');
    assertEnvelope(text.json(), 400, 'VALIDATION_FAILED');
    const badData = multipart([{ name: 'data', value: '{not json' }]);
    const res = await post(badData.payload, badData.headers['content-type']);
    assertEnvelope(res.json(), 400, 'VALIDATION_FAILED');
    assert.equal(res.json().details[0].path, 'data');
    const noData = multipart([{ name: 'other', value: '{}' }]);
    const res2 = await post(noData.payload, noData.headers['content-type'], '/tryon/v1/try-on');
    assertEnvelope(res2.json(), 400, 'VALIDATION_FAILED');
    const broken = await post(
      '--xyz\r\nContent-Disposition: form-data; name="data"\r\n\r\n{"externalId"',
      'multipart/form-data; boundary=xyz',
    );
    assert.equal(broken.statusCode, 400);
  });

  test('an unexpected failure → 500 INTERNAL_ERROR with a generic message; the cause stays in the log', async () => {
    const original = ctx.deps.credits.balance;
    ctx.deps.credits.balance = async () => {
      throw new Error('SQLITE_CORRUPT at /var/lib/secret/fitroom.sqlite');
    };
    try {
      const res = await ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': ctx.apiKey } });
      assert.equal(res.statusCode, 500);
      assertEnvelope(res.json(), 500, 'INTERNAL_ERROR');
      assert.doesNotMatch(res.body, /SQLITE|secret/);
    } finally {
      ctx.deps.credits.balance = original;
    }
  });

  test('health and readiness probes need no key', async () => {
    assert.deepEqual((await ctx.app.inject({ url: '/healthz' })).json(), { status: 'ok' });
    const ready = await ctx.app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json().checks, { database: 'ok', blobStore: 'ok' });
  });

  test('per-account rate limit: headers on every answer, 429 RATE_LIMITED past the limit, accounts independent', async () => {
    const a = await ctx.newAccount();
    const b = await ctx.newAccount();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof ctx.app.inject>> | undefined;
    for (let i = 0; i < 6; i++) {
      last = await ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': a.apiKey } });
      statuses.push(last.statusCode);
      assert.equal(last.headers['x-ratelimit-limit'], '5');
      assert.equal(last.headers['x-ratelimit-remaining'], String(Math.max(0, 4 - i)));
      assert.ok(Number(last.headers['x-ratelimit-reset']) <= 60);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    assertEnvelope(last!.json(), 429, 'RATE_LIMITED');
    assert.ok(Number(last!.headers['retry-after']) >= 0);
    const other = await ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': b.apiKey } });
    assert.equal(other.statusCode, 200);
  });

  test('a per-account rate limit overrides the server default', async () => {
    const created = await ctx.deps.accounts.create({ name: 'vip', credits: 0, rateLimitPerMin: 7 });
    const res = await ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': created.apiKey } });
    assert.equal(res.headers['x-ratelimit-limit'], '7');
  });
});

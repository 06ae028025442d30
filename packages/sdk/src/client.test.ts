import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DEFAULT_BASE_URL, Fitroom } from './client.js';
import { FitroomError } from './errors.js';
import * as sdk from './index.js';
import { type LocalApi, sendJson, startLocalApi } from './local-api.test.support.js';

const ENV_NAMES = ['FITROOM_API_KEY', 'GENLOOK_API_KEY', 'FITROOM_BASE_URL', 'GENLOOK_BASE_URL'] as const;
let saved: Record<string, string | undefined> = {};
beforeEach(() => {
  saved = Object.fromEntries(ENV_NAMES.map((n) => [n, process.env[n]]));
  for (const n of ENV_NAMES) delete process.env[n];
});
afterEach(() => {
  for (const n of ENV_NAMES) {
    if (saved[n] === undefined) delete process.env[n];
    else process.env[n] = saved[n];
  }
});

describe('construction', () => {
  test('Genlook is the same class with the same options; GenlookError the same base error', () => {
    assert.equal(sdk.Genlook, sdk.Fitroom);
    assert.equal(sdk.GenlookError, sdk.FitroomError);
    assert.equal(sdk.default, sdk.Fitroom);
    const g = new sdk.Genlook({ apiKey: 'gk_x', baseUrl: 'https://api.example/tryon/v1', timeoutMs: 5, maxRetries: 0 });
    assert.equal(g.baseUrl, 'https://api.example/tryon/v1');
    assert.equal(g.timeoutMs, 5);
    assert.equal(g.maxRetries, 0);
  });

  test('defaults: base URL, timeout 60 s, 2 retries', () => {
    const c = new Fitroom({ apiKey: 'gk_x' });
    assert.equal(c.baseUrl, DEFAULT_BASE_URL);
    assert.equal(DEFAULT_BASE_URL, 'http://localhost:8080/tryon/v1');
    assert.equal(c.timeoutMs, 60_000);
    assert.equal(c.maxRetries, 2);
  });

  test('no key anywhere → MISSING_API_KEY error', () => {
    assert.throws(
      () => new Fitroom(),
      (e: unknown) => e instanceof FitroomError && e.code === 'MISSING_API_KEY',
    );
  });

  test('a relative base URL is refused', () => {
    assert.throws(
      () => new Fitroom({ apiKey: 'k', baseUrl: '/tryon/v1' }),
      (e: unknown) => e instanceof FitroomError && e.code === 'INVALID_BASE_URL',
    );
  });
});

describe('environment defaults', () => {
  let s: LocalApi;
  beforeEach(async () => {
    s = await startLocalApi((_req, res) => sendJson(res, 200, { creditBalance: 3 }));
  });
  afterEach(() => s.close());

  test('FITROOM_API_KEY and FITROOM_BASE_URL are used and sent', async () => {
    process.env.FITROOM_API_KEY = 'gk_from_env';
    process.env.FITROOM_BASE_URL = `${s.baseUrl}/`;
    const c = new Fitroom();
    assert.equal(c.baseUrl, s.baseUrl);
    await c.account.credits();
    assert.equal(s.requests[0]!.headers['x-api-key'], 'gk_from_env');
    assert.equal(s.requests[0]!.url, '/tryon/v1/account/credits');
  });

  test('GENLOOK_* are the fallbacks; FITROOM_* win when both are set; options win over both', async () => {
    process.env.GENLOOK_API_KEY = 'gk_genlook';
    process.env.GENLOOK_BASE_URL = s.baseUrl;
    const c1 = new Fitroom();
    await c1.account.credits();
    assert.equal(s.requests[0]!.headers['x-api-key'], 'gk_genlook');

    process.env.FITROOM_API_KEY = 'gk_fitroom';
    process.env.FITROOM_BASE_URL = 'http://fitroom.example/tryon/v1';
    const c2 = new Fitroom();
    assert.equal(c2.baseUrl, 'http://fitroom.example/tryon/v1');

    const c3 = new Fitroom({ apiKey: 'gk_opt', baseUrl: s.baseUrl });
    await c3.account.credits();
    assert.equal(s.requests[1]!.headers['x-api-key'], 'gk_opt');
  });

  test('an empty variable counts as unset', () => {
    process.env.FITROOM_API_KEY = '';
    process.env.GENLOOK_API_KEY = 'gk_g';
    process.env.FITROOM_BASE_URL = '  ';
    const c = new Fitroom();
    assert.equal(c.baseUrl, DEFAULT_BASE_URL);
  });
});

describe('browser refusal', () => {
  const g = globalThis as { window?: unknown; document?: unknown };
  afterEach(() => {
    delete g.window;
    delete g.document;
  });

  test('refuses in a browser (window and document), allowed with dangerouslyAllowBrowser', () => {
    g.window = {};
    g.document = {};
    assert.throws(
      () => new Fitroom({ apiKey: 'gk_x' }),
      (e: unknown) => e instanceof FitroomError && e.code === 'BROWSER_NOT_ALLOWED' && /API key/.test(e.message),
    );
    assert.ok(new Fitroom({ apiKey: 'gk_x', dangerouslyAllowBrowser: true }));
  });

  test('window alone (Deno 1.x) is not a browser', () => {
    g.window = {};
    assert.ok(new Fitroom({ apiKey: 'gk_x' }));
  });
});

describe('custom fetch', () => {
  test('the fetch option is used for every request', async () => {
    const seen: string[] = [];
    const c = new Fitroom({
      apiKey: 'gk_x',
      baseUrl: 'http://nowhere.invalid/tryon/v1',
      fetch: async (input) => {
        seen.push(String(input));
        return new Response(JSON.stringify({ creditBalance: 9 }), { status: 200 });
      },
    });
    assert.deepEqual(await c.account.credits(), { creditBalance: 9 });
    assert.deepEqual(seen, ['http://nowhere.invalid/tryon/v1/account/credits']);
  });
});

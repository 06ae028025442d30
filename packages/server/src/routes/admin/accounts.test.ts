/**
 * The admin API's accounts and API keys: create, list (search, pages), change, disable; keys created, used against
 * the public API, recorded as used, revoked. Bad input on each route.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../ports/clock.js';
import { type AdminClient, adminClient } from '../../testing/admin-client.js';
import { createTestContext, type TestContext } from '../../testing/test-server.js';

interface Account {
  id: string;
  name: string;
  creditBalance: number;
  rateLimitPerMin: number | null;
  retentionDays: number;
  engine: string | null;
  engineChecks: string | null;
  identityPass: boolean | null;
  maxOutfitItems: number;
  hasLogo: boolean;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}
interface ApiKey {
  id: string;
  accountId: string;
  prefix: string;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}
interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

describe('admin API: accounts and keys', () => {
  let ctx: TestContext;
  let admin: AdminClient;
  const clock = new ManualClock('2026-05-01T08:00:00.000Z');
  before(async () => {
    ctx = await createTestContext({ workers: false, clock });
    admin = adminClient(ctx);
  });
  after(() => ctx.close());

  const credits = (apiKey: string) =>
    ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': apiKey } });

  test('create an account, read it back, find it by a part of its name or id', async () => {
    const res = await admin.call('POST', '/admin/v1/accounts', {
      name: '  Shop Éte  ',
      credits: 25,
      rateLimitPerMin: 30,
      retentionDays: 3,
      engine: 'mock',
    });
    assert.equal(res.statusCode, 201);
    const created = res.json<Account>();
    assert.match(created.id, /^acc_[a-z0-9]{20}$/);
    assert.deepEqual(created, {
      id: created.id,
      name: 'Shop Éte',
      creditBalance: 25,
      rateLimitPerMin: 30,
      retentionDays: 3,
      engine: 'mock',
      engineChecks: null,
      identityPass: null,
      maxOutfitItems: 1,
      hasLogo: false,
      disabled: false,
      createdAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
    });
    assert.deepEqual(await admin.json('GET', `/admin/v1/accounts/${created.id}`), created);
    const keys = await admin.json<Page<ApiKey>>('GET', `/admin/v1/accounts/${created.id}/keys`);
    assert.deepEqual(keys, { data: [], nextCursor: null }, 'no key until one is created');
    const ledger = await ctx.deps.credits.ledgerFor(created.id);
    assert.deepEqual(
      ledger.map((l) => [l.delta, l.reason]),
      [[25, 'grant']],
    );

    for (const search of ['SHOP É', 'shop', created.id.slice(4, 12)]) {
      const found = await admin.json<Page<Account>>('GET', `/admin/v1/accounts?search=${encodeURIComponent(search)}`);
      assert.deepEqual(
        found.data.map((a) => a.id),
        [created.id],
        search,
      );
    }
    const wildcard = await admin.json<Page<Account>>('GET', '/admin/v1/accounts?search=%25');
    assert.deepEqual(wildcard.data, [], '% is a character, not a wildcard');
  });

  test('lists are newest first, in pages that follow their cursors', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      ids.push((await admin.json<Account>('POST', '/admin/v1/accounts', { name: `paged-${i}` })).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page<Account> = await admin.json(
        'GET',
        `/admin/v1/accounts?search=paged-&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.ok(page.data.length <= 2);
      seen.push(...page.data.map((a) => a.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...ids].reverse());
  });

  test('a key is shown once, works against the public API, records its last use, and stops when revoked', async () => {
    const account = await admin.json<Account>('POST', '/admin/v1/accounts', { name: 'keys', credits: 3 });
    const res = await admin.call('POST', `/admin/v1/accounts/${account.id}/keys`, { label: 'storefront' });
    assert.equal(res.statusCode, 201);
    const { key, apiKey } = res.json<{ key: string; apiKey: ApiKey }>();
    assert.match(key, /^gk_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(apiKey, {
      id: apiKey.id,
      accountId: account.id,
      prefix: key.slice(0, 7),
      label: 'storefront',
      createdAt: clock.now().toISOString(),
      revokedAt: null,
      lastUsedAt: null,
    });

    const used = await credits(key);
    assert.equal(used.statusCode, 200);
    assert.deepEqual(used.json(), { creditBalance: 3 });
    await ctx.deps.accounts.settled();
    const firstUse = clock.now().toISOString();
    let listed = await admin.json<Page<ApiKey>>('GET', `/admin/v1/accounts/${account.id}/keys`);
    assert.equal(listed.data[0]?.lastUsedAt, firstUse);
    assert.equal(JSON.stringify(listed).includes(key), false, 'the key itself is never listed');

    // Within the minute nothing is written again; a minute later the time moves on.
    clock.advance(30_000);
    await credits(key);
    await ctx.deps.accounts.settled();
    listed = await admin.json<Page<ApiKey>>('GET', `/admin/v1/accounts/${account.id}/keys`);
    assert.equal(listed.data[0]?.lastUsedAt, firstUse);
    clock.advance(31_000);
    await credits(key);
    await ctx.deps.accounts.settled();
    listed = await admin.json<Page<ApiKey>>('GET', `/admin/v1/accounts/${account.id}/keys`);
    assert.equal(listed.data[0]?.lastUsedAt, clock.now().toISOString());

    const revoked = await admin.call('DELETE', `/admin/v1/accounts/${account.id}/keys/${apiKey.id}`);
    assert.equal(revoked.statusCode, 200);
    assert.equal(revoked.json<ApiKey>().revokedAt, clock.now().toISOString());
    const refused = await credits(key);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().code, 'INVALID_API_KEY');
    clock.advance(1000);
    const again = await admin.call('DELETE', `/admin/v1/accounts/${account.id}/keys/${apiKey.id}`);
    assert.deepEqual(again.json(), revoked.json(), 'revoking twice changes nothing');
  });

  test('a key is reached only through its own account; unknown ids are 404', async () => {
    const a = await admin.json<Account>('POST', '/admin/v1/accounts', { name: 'owner' });
    const b = await admin.json<Account>('POST', '/admin/v1/accounts', { name: 'other' });
    const { apiKey } = await admin.json<{ apiKey: ApiKey }>('POST', `/admin/v1/accounts/${a.id}/keys`);
    assert.equal(apiKey.label, null);
    const cross = await admin.call('DELETE', `/admin/v1/accounts/${b.id}/keys/${apiKey.id}`);
    assert.equal(cross.statusCode, 404);
    assert.equal(cross.json().code, 'API_KEY_NOT_FOUND');
    assert.equal(
      (
        await ctx.deps.db
          .selectFrom('api_keys')
          .select('revoked_at')
          .where('id', '=', apiKey.id)
          .executeTakeFirstOrThrow()
      ).revoked_at,
      null,
    );
    for (const [method, url] of [
      ['GET', '/admin/v1/accounts/acc_nope'],
      ['PATCH', '/admin/v1/accounts/acc_nope'],
      ['GET', '/admin/v1/accounts/acc_nope/keys'],
      ['POST', '/admin/v1/accounts/acc_nope/keys'],
      ['DELETE', `/admin/v1/accounts/acc_nope/keys/${apiKey.id}`],
    ] as const) {
      const res = await admin.call(method, url, method === 'PATCH' ? { name: 'zz-refused' } : undefined);
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.deepEqual(res.json(), {
        code: 'ACCOUNT_NOT_FOUND',
        message: "Account 'acc_nope' not found.",
        status: 404,
      });
    }
  });

  test('change an account: settings apply at once; disabled accounts are refused until enabled', async () => {
    const account = await admin.json<Account>('POST', '/admin/v1/accounts', { name: 'settings', credits: 1 });
    const { key } = await admin.json<{ key: string }>('POST', `/admin/v1/accounts/${account.id}/keys`);
    assert.equal((await credits(key)).headers['x-ratelimit-limit'], '100');
    clock.advance(1000);
    const changed = await admin.call('PATCH', `/admin/v1/accounts/${account.id}`, {
      name: 'renamed',
      rateLimitPerMin: 7,
      retentionDays: 1,
      engine: 'mock',
      engineChecks: 'lenient',
    });
    assert.equal(changed.statusCode, 200);
    assert.deepEqual(changed.json(), {
      ...account,
      name: 'renamed',
      rateLimitPerMin: 7,
      retentionDays: 1,
      engine: 'mock',
      engineChecks: 'lenient',
      updatedAt: clock.now().toISOString(),
    });
    assert.equal((await credits(key)).headers['x-ratelimit-limit'], '7', 'the running server applies it');
    const reset = await admin.json<Account>('PATCH', `/admin/v1/accounts/${account.id}`, {
      rateLimitPerMin: null,
      engine: null,
      engineChecks: null,
    });
    assert.deepEqual(
      [reset.rateLimitPerMin, reset.engine, reset.engineChecks, reset.name],
      [null, null, null, 'renamed'],
    );

    const disabled = await admin.json<Account>('PATCH', `/admin/v1/accounts/${account.id}`, { disabled: true });
    assert.equal(disabled.disabled, true);
    assert.equal((await credits(key)).statusCode, 401);
    await admin.json('PATCH', `/admin/v1/accounts/${account.id}`, { disabled: false });
    assert.equal((await credits(key)).statusCode, 200);
  });

  test('an engine this server cannot run is refused, as the CLI refuses it', async () => {
    const engines = await admin.json('GET', '/admin/v1/engines');
    assert.deepEqual(
      engines,
      {
        data: [
          {
            name: 'composite',
            default: false,
            hosted: false,
            categories: ['upper', 'lower', 'dress'],
            maxSide: null,
            licence: 'commercial',
          },
          {
            name: 'mock',
            default: true,
            hosted: false,
            categories: ['upper', 'lower', 'dress'],
            maxSide: null,
            licence: 'commercial',
          },
        ],
      },
      'no EXTERNAL_ENGINE_URL; the test servers run ENGINE=mock',
    );
    const account = await admin.json<Account>('POST', '/admin/v1/accounts', { name: 'engines' });
    const res = await admin.call('PATCH', `/admin/v1/accounts/${account.id}`, { engine: 'external' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'VALIDATION_FAILED');
    assert.match(res.json().message, /^The external engine needs EXTERNAL_ENGINE_URL/);
    assert.equal(res.json().details[0].path, 'engine');
    const create = await admin.call('POST', '/admin/v1/accounts', { name: 'engines-external', engine: 'external' });
    assert.equal(create.statusCode, 400);
    assert.equal((await ctx.deps.accounts.get(account.id))?.engine, null);
    const composite = await admin.json<Account>('PATCH', `/admin/v1/accounts/${account.id}`, { engine: 'composite' });
    assert.equal(composite.engine, 'composite');

    const noVision = await createTestContext({ workers: false, env: { VISION: 'off' } });
    try {
      const noVisionAdmin = adminClient(noVision);
      assert.deepEqual(await noVisionAdmin.json('GET', '/admin/v1/engines'), {
        data: [
          {
            name: 'mock',
            default: true,
            hosted: false,
            categories: ['upper', 'lower', 'dress'],
            maxSide: null,
            licence: 'commercial',
          },
        ],
      });
      const refused = await noVisionAdmin.call('PATCH', `/admin/v1/accounts/${noVision.accountId}`, {
        engine: 'composite',
      });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.json().message, /VISION=off/);
    } finally {
      await noVision.close();
    }
  });

  test('bad input is 400 VALIDATION_FAILED on every accounts and keys route, and changes nothing', async () => {
    const account = await admin.json<Account>('POST', '/admin/v1/accounts', { name: 'bad-input' });
    const before = await ctx.deps.accounts.get(account.id);
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/admin/v1/accounts', {}, 'name'],
      ['POST', '/admin/v1/accounts', { name: '   ' }, 'name'],
      ['POST', '/admin/v1/accounts', { name: 'zz-refused', credits: -1 }, 'credits'],
      ['POST', '/admin/v1/accounts', { name: 'zz-refused', credits: 1.5 }, 'credits'],
      ['POST', '/admin/v1/accounts', { name: 'zz-refused', retentionDays: 2 }, 'retentionDays'],
      ['POST', '/admin/v1/accounts', { name: 'zz-refused', engine: 'gpu' }, 'engine'],
      ['POST', '/admin/v1/accounts', { name: 'zz-refused', rateLimitPerMin: 0 }, 'rateLimitPerMin'],
      ['POST', '/admin/v1/accounts', { name: 'zz-refused', extra: true }, ''],
      ['POST', '/admin/v1/accounts', { name: 'zz-refused\u0000' }, 'name'],
      ['PATCH', `/admin/v1/accounts/${account.id}`, {}, ''],
      ['PATCH', `/admin/v1/accounts/${account.id}`, { disabled: 'yes' }, 'disabled'],
      ['PATCH', `/admin/v1/accounts/${account.id}`, { engineChecks: 'off' }, 'engineChecks'],
      ['PATCH', `/admin/v1/accounts/${account.id}`, { identityPass: 'on' }, 'identityPass'],
      ['PATCH', `/admin/v1/accounts/${account.id}`, { name: 5 }, 'name'],
      ['PATCH', `/admin/v1/accounts/${account.id}`, { creditBalance: 1000 }, ''],
      ['POST', `/admin/v1/accounts/${account.id}/keys`, { label: 'x'.repeat(101) }, 'label'],
      ['POST', `/admin/v1/accounts/${account.id}/keys`, { label: 3 }, 'label'],
      ['GET', '/admin/v1/accounts?limit=0', undefined, 'limit'],
      ['GET', '/admin/v1/accounts?limit=101', undefined, 'limit'],
      ['GET', '/admin/v1/accounts?limit=ten', undefined, 'limit'],
      ['GET', '/admin/v1/accounts?cursor=bm9wZQ', undefined, 'cursor'],
      ['GET', `/admin/v1/accounts/${account.id}/keys?cursor=%5B1%2C2%5D`, undefined, 'cursor'],
      ['GET', `/admin/v1/accounts/${'a'.repeat(65)}`, undefined, 'accountId'],
    ];
    for (const [method, url, payload, path] of cases) {
      const res = await admin.call(method as 'GET', url, payload);
      assert.equal(res.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)}: ${res.body}`);
      const body = res.json();
      assert.equal(body.code, 'VALIDATION_FAILED');
      if (path) assert.equal(body.details?.[0]?.path, path, `${method} ${url} ${JSON.stringify(payload)}`);
    }
    const notJson = await admin.call('POST', '/admin/v1/accounts', 'name=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().code, 'VALIDATION_FAILED');
    assert.deepEqual(await ctx.deps.accounts.get(account.id), before);
    const page = await admin.json<Page<Account>>('GET', '/admin/v1/accounts?search=zz-refused&limit=100');
    assert.deepEqual(page.data, [], 'no account was created by a refused request');
    const keys = await admin.json<Page<ApiKey>>('GET', `/admin/v1/accounts/${account.id}/keys`);
    assert.deepEqual(keys.data, [], 'no key was created by a refused request');
  });
});

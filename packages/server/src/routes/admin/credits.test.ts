/**
 * The admin API's credits: the ledger in pages, top-ups and take-backs (never below zero, even racing try-ons), and
 * the authentication every route added after the accounts share: no account key, CSRF on changes by cookie.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../ports/clock.js';
import { type AdminClient, adminClient, signIn } from '../../testing/admin-client.js';
import { createTestContext, type TestContext } from '../../testing/test-server.js';

interface LedgerEntry {
  id: string;
  accountId: string;
  delta: number;
  reason: string;
  note: string | null;
  generationId: string | null;
  balanceAfter: number;
  createdAt: string;
}
interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

describe('admin API: credits and ledger', () => {
  let ctx: TestContext;
  let admin: AdminClient;
  const clock = new ManualClock('2026-05-02T09:00:00.000Z');
  before(async () => {
    ctx = await createTestContext({ workers: false, clock });
    admin = adminClient(ctx);
  });
  after(() => ctx.close());

  const newAccount = async (credits: number) =>
    (await admin.json<{ id: string }>('POST', '/admin/v1/accounts', { name: 'credits', credits })).id;

  test('a top-up and a take-back answer the balance and their ledger row, newest first in the ledger', async () => {
    const id = await newAccount(10);
    clock.advance(1000);
    const up = await admin.call('POST', `/admin/v1/accounts/${id}/credits`, { amount: 50, note: ' invoice 42 ' });
    assert.equal(up.statusCode, 201);
    const upBody = up.json<{ balance: number; entry: LedgerEntry }>();
    assert.deepEqual(upBody, {
      balance: 60,
      entry: {
        id: upBody.entry.id,
        accountId: id,
        delta: 50,
        reason: 'top_up',
        note: 'invoice 42',
        generationId: null,
        balanceAfter: 60,
        createdAt: clock.now().toISOString(),
      },
    });
    clock.advance(1000);
    const down = await admin.json<{ balance: number; entry: LedgerEntry }>('POST', `/admin/v1/accounts/${id}/credits`, {
      amount: -60,
      note: 'refunded the invoice',
    });
    assert.equal(down.balance, 0, 'down to exactly zero is allowed');
    assert.deepEqual([down.entry.delta, down.entry.reason, down.entry.balanceAfter], [-60, 'adjustment', 0]);
    assert.equal((await admin.json<{ creditBalance: number }>('GET', `/admin/v1/accounts/${id}`)).creditBalance, 0);

    const ledger = await admin.json<Page<LedgerEntry>>('GET', `/admin/v1/accounts/${id}/ledger`);
    assert.deepEqual(
      ledger.data.map((l) => [l.reason, l.delta, l.balanceAfter, l.note]),
      [
        ['adjustment', -60, 0, 'refunded the invoice'],
        ['top_up', 50, 60, 'invoice 42'],
        ['grant', 10, 10, 'initial credits'],
      ],
    );
    assert.deepEqual(ledger.data[1], upBody.entry, 'the answer is the row the ledger lists');
    assert.equal(ledger.nextCursor, null);
  });

  test('taking back more than the balance is refused and changes nothing', async () => {
    const id = await newAccount(5);
    const res = await admin.call('POST', `/admin/v1/accounts/${id}/credits`, { amount: -6, note: 'too much' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      code: 'VALIDATION_FAILED',
      message: 'The account has 5 credits: 6 cannot be taken back.',
      status: 400,
      details: [{ path: 'amount', message: 'Would take the balance below 0 (it is 5)' }],
    });
    assert.equal(await ctx.deps.credits.balance(id), 5);
    assert.equal((await ctx.deps.credits.ledgerFor(id)).length, 1, 'no ledger row');
  });

  test('concurrent take-backs never overdraw: exactly the ones the balance covers succeed', async () => {
    const id = await newAccount(3);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        admin.call('POST', `/admin/v1/accounts/${id}/credits`, { amount: -1, note: 'x' }),
      ),
    );
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 201, 201, 400, 400, 400]);
    assert.equal(await ctx.deps.credits.balance(id), 0);
    const balances = results.filter((r) => r.statusCode === 201).map((r) => r.json().balance as number);
    assert.deepEqual(balances.sort(), [0, 1, 2]);
  });

  test('the ledger pages follow their cursors; a bad cursor is 400', async () => {
    const id = await newAccount(1);
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      await admin.json('POST', `/admin/v1/accounts/${id}/credits`, { amount: i + 1, note: `n${i}` });
    }
    const notes: Array<string | null> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page<LedgerEntry> = await admin.json(
        'GET',
        `/admin/v1/accounts/${id}/ledger?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      notes.push(...page.data.map((l) => l.note));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(notes, ['n3', 'n2', 'n1', 'n0', 'initial credits']);

    for (const bad of ['nonsense', Buffer.from('[1,2]').toString('base64url'), 'x'.repeat(600)]) {
      const res = await admin.call('GET', `/admin/v1/accounts/${id}/ledger?cursor=${bad}`);
      assert.equal(res.statusCode, 400, bad);
      assert.equal(res.json().code, 'VALIDATION_FAILED');
      assert.equal(res.json().details[0].path, 'cursor');
    }
    const tooMany = await admin.call('GET', `/admin/v1/accounts/${id}/ledger?limit=101`);
    assert.equal(tooMany.statusCode, 400);
  });

  test('bad input is 400 and changes nothing; an unknown account is 404', async () => {
    const id = await newAccount(7);
    for (const [body, path] of [
      [{}, 'amount'],
      [{ amount: 0, note: 'zero' }, 'amount'],
      [{ amount: 1.5, note: 'half' }, 'amount'],
      [{ amount: '5', note: 'text' }, 'amount'],
      [{ amount: 1_000_001, note: 'huge' }, 'amount'],
      [{ amount: 5 }, 'note'],
      [{ amount: 5, note: '   ' }, 'note'],
      [{ amount: 5, note: 'x'.repeat(501) }, 'note'],
      [{ amount: 5, note: 'ok', reason: 'top_up' }, ''],
    ] as const) {
      const res = await admin.call('POST', `/admin/v1/accounts/${id}/credits`, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(res.json().code, 'VALIDATION_FAILED');
      assert.equal(res.json().details[0].path, path, JSON.stringify(body));
    }
    assert.equal(await ctx.deps.credits.balance(id), 7);
    for (const [method, url, body] of [
      ['GET', '/admin/v1/accounts/acc_nope/ledger', undefined],
      ['POST', '/admin/v1/accounts/acc_nope/credits', { amount: 5, note: 'nobody' }],
    ] as const) {
      const res = await admin.call(method, url, body);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().code, 'ACCOUNT_NOT_FOUND');
    }
  });

  test('every route of the second part refuses an account key and asks a cookie session for its CSRF token', async () => {
    const id = ctx.accountId;
    const routes: Array<['GET' | 'POST' | 'PUT' | 'DELETE', string]> = [
      ['GET', `/admin/v1/accounts/${id}/ledger`],
      ['POST', `/admin/v1/accounts/${id}/credits`],
      ['GET', `/admin/v1/accounts/${id}/logo`],
      ['PUT', `/admin/v1/accounts/${id}/logo`],
      ['DELETE', `/admin/v1/accounts/${id}/logo`],
      ['POST', `/admin/v1/accounts/${id}/playground-key`],
      ['GET', '/admin/v1/products'],
      ['DELETE', '/admin/v1/products/prd_x'],
      ['GET', '/admin/v1/generations'],
      ['GET', '/admin/v1/generations/gen_x'],
      ['GET', '/admin/v1/usage'],
    ];
    for (const [method, url] of routes) {
      for (const headers of [{ 'x-api-key': ctx.apiKey }, { authorization: `Bearer ${ctx.apiKey}` }, {}]) {
        // A wrong bearer counts against the address's 10 attempts a minute.
        clock.advance(61_000);
        const res = await ctx.app.inject({ method, url, headers });
        assert.equal(res.statusCode, 401, `${method} ${url} ${JSON.stringify(Object.keys(headers))}`);
        assert.equal(res.json().code, 'ADMIN_AUTH_REQUIRED');
        assert.equal(res.headers['cache-control'], 'no-store');
      }
    }
    const session = await signIn(ctx, admin.token);
    for (const [method, url] of routes.filter(([m]) => m !== 'GET')) {
      const res = await ctx.app.inject({
        method,
        url,
        headers: { cookie: session.cookie },
        ...(method === 'POST' ? { payload: { amount: 1, note: 'csrf' } } : {}),
      });
      assert.equal(res.statusCode, 403, `${method} ${url}`);
      assert.equal(res.json().code, 'CSRF_TOKEN_INVALID');
    }
    assert.equal(await ctx.deps.credits.balance(id), 100, 'nothing was added');
    const withToken = await ctx.app.inject({
      method: 'POST',
      url: `/admin/v1/accounts/${id}/credits`,
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken },
      payload: { amount: 1, note: 'by the dashboard' },
    });
    assert.equal(withToken.statusCode, 201);
    const read = await ctx.app.inject({ url: `/admin/v1/accounts/${id}/ledger`, headers: { cookie: session.cookie } });
    assert.equal(read.statusCode, 200, 'a read needs no CSRF token');
    assert.equal(read.json().data[0].note, 'by the dashboard');
  });
});

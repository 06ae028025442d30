/**
 * The dashboard playground's key: a real key of the account for the public API (the admin token is none), at most one
 * live per account.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AdminClient, adminClient } from '../../testing/admin-client.js';
import { createTestContext, type TestContext } from '../../testing/test-server.js';

interface CreatedKey {
  key: string;
  apiKey: { id: string; accountId: string; label: string | null; revokedAt: string | null };
}

describe('admin API: the playground key', () => {
  let ctx: TestContext;
  let admin: AdminClient;
  before(async () => {
    ctx = await createTestContext({ workers: false });
    admin = adminClient(ctx);
  });
  after(() => ctx.close());

  const credits = (apiKey: string) =>
    ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': apiKey } });

  test('a labelled key of the account that works on the public API; the next one revokes it', async () => {
    const { id } = await admin.json<{ id: string }>('POST', '/admin/v1/accounts', { name: 'play', credits: 4 });
    const own = await admin.json<CreatedKey>('POST', `/admin/v1/accounts/${id}/keys`, { label: 'storefront' });
    const res = await admin.call('POST', `/admin/v1/accounts/${id}/playground-key`, {});
    assert.equal(res.statusCode, 201);
    const first = res.json<CreatedKey>();
    assert.match(first.key, /^gk_/);
    assert.deepEqual([first.apiKey.accountId, first.apiKey.label], [id, 'dashboard playground']);
    assert.deepEqual((await credits(first.key)).json(), { creditBalance: 4 });

    const second = await admin.json<CreatedKey>('POST', `/admin/v1/accounts/${id}/playground-key`);
    assert.equal((await credits(second.key)).statusCode, 200);
    const refused = await credits(first.key);
    assert.equal(refused.statusCode, 401, 'the earlier playground key is revoked at once');
    assert.equal(refused.json().code, 'INVALID_API_KEY');
    assert.equal((await credits(own.key)).statusCode, 200, "the account's other keys are left alone");

    const keys = await admin.json<{ data: CreatedKey['apiKey'][] }>('GET', `/admin/v1/accounts/${id}/keys`);
    const byId = (x: [string, string | null, boolean], y: [string, string | null, boolean]) => (x[0] < y[0] ? -1 : 1);
    assert.deepEqual(
      keys.data.map((k): [string, string | null, boolean] => [k.id, k.label, k.revokedAt === null]).sort(byId),
      (
        [
          [second.apiKey.id, 'dashboard playground', true],
          [first.apiKey.id, 'dashboard playground', false],
          [own.apiKey.id, 'storefront', true],
        ] as Array<[string, string | null, boolean]>
      ).sort(byId),
    );

    // Another account's playground key is its own affair.
    const { id: other } = await admin.json<{ id: string }>('POST', '/admin/v1/accounts', { name: 'play-2' });
    const third = await admin.json<CreatedKey>('POST', `/admin/v1/accounts/${other}/playground-key`);
    assert.equal((await credits(second.key)).statusCode, 200);
    assert.equal((await credits(third.key)).statusCode, 200);
  });

  test('the admin token is no account key; unknown or disabled accounts and a body get no key', async () => {
    const asKey = await credits(admin.token);
    assert.equal(asKey.statusCode, 401);
    assert.equal(asKey.json().code, 'INVALID_API_KEY');

    const unknown = await admin.call('POST', '/admin/v1/accounts/acc_nope/playground-key');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'ACCOUNT_NOT_FOUND');

    const { id } = await admin.json<{ id: string }>('POST', '/admin/v1/accounts', { name: 'play-off' });
    await admin.json('PATCH', `/admin/v1/accounts/${id}`, { disabled: true });
    const disabled = await admin.call('POST', `/admin/v1/accounts/${id}/playground-key`);
    assert.equal(disabled.statusCode, 400);
    assert.equal(disabled.json().details[0].path, 'accountId');
    const withBody = await admin.call('POST', `/admin/v1/accounts/${ctx.accountId}/playground-key`, { label: 'x' });
    assert.equal(withBody.statusCode, 400);
    const live = await ctx.deps.db
      .selectFrom('api_keys')
      .select('id')
      .where('account_id', 'in', [id, ctx.accountId])
      .where('label', '=', 'dashboard playground')
      .execute();
    assert.deepEqual(live, [], 'no key was made');
  });
});

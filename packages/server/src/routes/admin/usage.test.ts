/**
 * The admin API's usage: generations, failures and credits per UTC day and account, counted in SQL (this suite runs
 * on PostgreSQL too in the scale-out pass), over a range that is checked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { ManualClock } from '../../ports/clock.js';
import { type AdminClient, adminClient } from '../../testing/admin-client.js';
import { createTestContext, multipart, type TestContext, uploadPhoto } from '../../testing/test-server.js';

interface UsageDay {
  date: string;
  accountId: string;
  generations: number;
  completed: number;
  failed: number;
  creditsUsed: number;
  creditsAdded: number;
  creditsRemoved: number;
}

const HOUR = 3_600_000;

describe('admin API: usage', () => {
  let ctx: TestContext;
  let admin: AdminClient;
  const clock = new ManualClock('2026-05-04T20:00:00.000Z');
  let u1: string;
  let u2: string;
  const gens: Record<string, string> = {};

  before(async () => {
    ctx = await createTestContext({ workers: false, clock, localBlobs: true });
    admin = adminClient(ctx);
  });
  after(() => ctx.close());

  const setUp = async (name: string, credits: number) => {
    const { id } = await admin.json<{ id: string }>('POST', '/admin/v1/accounts', { name, credits });
    const { key } = await admin.json<{ key: string }>('POST', `/admin/v1/accounts/${id}/keys`);
    const jpeg = await sharp({ create: { width: 300, height: 400, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer();
    const form = multipart([
      { name: 'data', value: JSON.stringify({ externalId: 'p', images: [{ source: { fileKey: 'f' } }] }) },
      { name: 'f', filename: 'p.jpg', contentType: 'image/jpeg', data: jpeg },
    ]);
    const product = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/products',
      headers: { 'x-api-key': key, ...form.headers },
      payload: form.payload,
    });
    assert.ok(product.statusCode < 300, product.body);
    const person = await uploadPhoto({ app: ctx.app, apiKey: key }, jpeg, { crop: 'false' });
    const tryOn = async () => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/tryon/v1/try-on',
        headers: { 'x-api-key': key },
        payload: { products: [{ externalId: 'p' }], person: { image: { source: { id: person.body.imageId } } } },
      });
      assert.ok(res.statusCode < 300, res.body);
      return res.json().generationId as string;
    };
    return { id, tryOn };
  };

  test('per day and account: outcomes by the day accepted, try-on credits net of refunds, operator credits', async () => {
    // 4 May, 20:00 UTC.
    const one = await setUp('usage-1', 10);
    const two = await setUp('usage-2', 5);
    u1 = one.id;
    u2 = two.id;
    gens.a = await one.tryOn();
    gens.b = await one.tryOn();
    gens.c = await one.tryOn();
    gens.d = await two.tryOn();
    await ctx.deps.generations.complete(gens.a, 'x/results/a.jpg');
    await ctx.deps.generations.fail(gens.b, 'ENGINE_FAILED', 'boom');
    // 5 May, 01:00 UTC: the third fails after midnight; its refund still cancels its debit on the 4th.
    clock.advance(5 * HOUR);
    await ctx.deps.generations.fail(gens.c, 'ENGINE_FAILED', 'boom');
    await admin.json('POST', `/admin/v1/accounts/${u1}/credits`, { amount: 20, note: 'top-up' });
    await admin.json('POST', `/admin/v1/accounts/${u2}/credits`, { amount: -2, note: 'take back' });
    gens.e = await two.tryOn();

    const usage = await admin.json<{ from: string; to: string; days: UsageDay[] }>(
      'GET',
      '/admin/v1/usage?from=2026-05-01T00:00:00.000Z&to=2026-05-06T00:00:00.000Z',
    );
    assert.equal(usage.from, '2026-05-01T00:00:00.000Z');
    assert.equal(usage.to, '2026-05-06T00:00:00.000Z');
    const row = (date: string, accountId: string, counts: Partial<UsageDay>): UsageDay => ({
      date,
      accountId,
      generations: 0,
      completed: 0,
      failed: 0,
      creditsUsed: 0,
      creditsAdded: 0,
      creditsRemoved: 0,
      ...counts,
    });
    const expected = [
      row('2026-05-04', u1, { generations: 3, completed: 1, failed: 2, creditsUsed: 1, creditsAdded: 10 }),
      row('2026-05-04', u2, { generations: 1, creditsUsed: 1, creditsAdded: 5 }),
      row('2026-05-05', u1, { creditsAdded: 20 }),
      row('2026-05-05', u2, { generations: 1, creditsUsed: 1, creditsRemoved: 2 }),
    ].sort((x, y) => (x.date === y.date ? (x.accountId < y.accountId ? -1 : 1) : x.date < y.date ? -1 : 1));
    // The test server's own account (its credits granted at start) is not part of this comparison.
    assert.deepEqual(
      usage.days.filter((d) => d.accountId === u1 || d.accountId === u2),
      expected,
    );

    const one2 = await admin.json<{ days: UsageDay[] }>(
      'GET',
      `/admin/v1/usage?from=2026-05-05T00:00:00Z&to=2026-05-06T00:00:00Z&accountId=${u2}`,
    );
    assert.deepEqual(one2.days, [expected.find((d) => d.date === '2026-05-05' && d.accountId === u2)]);
    const empty = await admin.json<{ days: UsageDay[] }>(
      'GET',
      '/admin/v1/usage?from=2026-04-01T00:00:00Z&to=2026-04-02T00:00:00Z',
    );
    assert.deepEqual(empty.days, []);
  });

  test('by default the 30 days up to the end of today; bad ranges are 400, an unknown account 404', async () => {
    const byDefault = await admin.json<{ from: string; to: string; days: UsageDay[] }>('GET', '/admin/v1/usage');
    assert.equal(byDefault.to, '2026-05-06T00:00:00.000Z');
    assert.equal(byDefault.from, '2026-04-06T00:00:00.000Z');
    assert.ok(byDefault.days.some((d) => d.accountId === u1));

    for (const [query, path] of [
      ['from=2026-05-05T00:00:00Z&to=2026-05-05T00:00:00Z', 'from'],
      ['from=2026-05-06T00:00:00Z&to=2026-05-05T00:00:00Z', 'from'],
      ['from=2025-01-01T00:00:00Z&to=2026-05-05T00:00:00Z', 'to'],
      ['from=2026-05-01', 'from'],
      ['to=soon', 'to'],
      ['accountId=', 'accountId'],
    ] as const) {
      const res = await admin.call('GET', `/admin/v1/usage?${query}`);
      assert.equal(res.statusCode, 400, query);
      assert.equal(res.json().code, 'VALIDATION_FAILED', query);
      assert.equal(res.json().details[0].path, path, query);
    }
    const unknown = await admin.call('GET', '/admin/v1/usage?accountId=acc_nope');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'ACCOUNT_NOT_FOUND');
  });
});

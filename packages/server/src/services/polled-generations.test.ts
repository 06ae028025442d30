/**
 * The cache of polled generation rows (polled-generations.ts): a poll after a write sees it, whoever wrote it — this
 * process through any service or a direct UPDATE (db/generation-writes.ts), or another connection as the CLI would
 * (within the 100 ms of the authentication cache's check, external-writes.ts) — and another account never reads a
 * kept row. On PostgreSQL (the scale-out pass) the cache is off and the same polls must give the same answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDatabase } from '../db/database.js';
import { ManualClock } from '../ports/clock.js';
import { createTestContext, fixtureTryOn, postTryOn, type TestContext } from '../testing/test-server.js';
import { EXTERNAL_CHECK_MS } from './external-writes.js';
import { PolledGenerations } from './polled-generations.js';

describe('polled generation rows', () => {
  let ctx: TestContext;
  const clock = new ManualClock('2026-05-13T10:00:00.000Z');
  let cached: boolean;

  before(async () => {
    // No workers: the tests move the generations themselves.
    ctx = await createTestContext({ workers: false, clock });
    cached = ctx.deps.generations.polled !== null;
  });
  after(async () => {
    await ctx.close();
  });

  async function submit(options: { apiKey?: string; externalUserId?: string } = {}): Promise<string> {
    const [data, files] = fixtureTryOn({ title: 'shirt' });
    const body = options.externalUserId ? { ...data, externalUserId: options.externalUserId } : data;
    const res = await postTryOn(ctx, body, files, { apiKey: options.apiKey ?? ctx.apiKey });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().generationId;
  }

  async function poll(id: string, apiKey = ctx.apiKey) {
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/tryon/v1/generations/${id}`,
      headers: { 'x-api-key': apiKey },
    });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  }

  /** Whether the row is kept now (always false on PostgreSQL). */
  const kept = (id: string) => cached && ctx.deps.generations.polled!.get(id) !== undefined;

  test('the embedded deployment keeps polled rows; PostgreSQL does not', async () => {
    assert.equal(cached, ctx.config.databaseUrl === null);
    const id = await submit();
    assert.equal(kept(id), false, 'a submitted generation is not kept before a poll reads it');
    assert.equal((await poll(id)).body.status, 'PENDING');
    assert.equal(kept(id), cached);
  });

  test("this process's transitions are seen by the next poll", async () => {
    const id = await submit();
    assert.equal((await poll(id)).body.status, 'PENDING');
    assert.equal(kept(id), cached);
    assert.equal(await ctx.deps.generations.markProcessing(id), true);
    assert.equal((await poll(id)).body.status, 'PROCESSING');
    assert.equal(await ctx.deps.generations.complete(id, 'results/some-result.png'), true);
    const completed = (await poll(id)).body;
    assert.equal(completed.status, 'COMPLETED');
    // A signed URL: the local blob store's (?exp=…) or S3's presigned one (the scale-out pass).
    assert.match(String(completed.resultImageUrl), /some-result\.png\?./);

    const failed = await submit();
    assert.equal((await poll(failed)).body.status, 'PENDING');
    assert.equal(await ctx.deps.generations.fail(failed, 'NO_PERSON_DETECTED', 'No person.'), true);
    assert.deepEqual(
      [(await poll(failed)).body.status, (await poll(failed)).body.errorCode],
      ['FAILED', 'NO_PERSON_DETECTED'],
    );
  });

  test("a direct UPDATE on this process's database is seen by the next poll, other kept rows stay", async () => {
    const [one, two] = [await submit(), await submit()];
    await poll(one);
    await poll(two);
    await ctx.deps.db.updateTable('generations').set({ status: 'PROCESSING' }).where('id', '=', one).execute();
    assert.equal(kept(two), cached, 'an UPDATE of one id keeps the others');
    assert.equal((await poll(one)).body.status, 'PROCESSING');
    // An UPDATE whose rows are not named by id: every kept row may have changed.
    await ctx.deps.db
      .updateTable('generations')
      .set({ status: 'PROCESSING' })
      .where('account_id', '=', ctx.accountId)
      .where('status', '=', 'PENDING')
      .execute();
    assert.equal((await poll(two)).body.status, 'PROCESSING');
  });

  test('the GDPR erase is seen by the next poll: no result URL', async () => {
    const id = await submit({ externalUserId: 'shopper-erased' });
    await ctx.deps.generations.complete(id, 'results/erased.png');
    assert.ok((await poll(id)).body.resultImageUrl);
    assert.equal(kept(id), cached);
    const erased = await ctx.app.inject({
      method: 'DELETE',
      url: '/tryon/v1/customers/shopper-erased',
      headers: { 'x-api-key': ctx.apiKey },
    });
    assert.equal(erased.statusCode, 204);
    const after = (await poll(id)).body;
    assert.equal(after.status, 'COMPLETED');
    assert.equal(after.resultImageUrl, undefined);
  });

  test("the retention sweep's removal of a result is seen by the next poll", async () => {
    const id = await submit();
    await ctx.deps.generations.complete(id, 'results/swept.png');
    assert.ok((await poll(id)).body.resultImageUrl);
    // Rows whose expiry passed, and their result's URL with them (toApi stops signing at expiry: a day short of it).
    clock.advanceDays(6);
    assert.ok((await poll(id)).body.resultImageUrl, 'still signed a day before expiry');
    clock.advanceDays(2);
    await ctx.deps.retention.sweep();
    clock.advanceDays(-8);
    // Back before the expiry: only the sweep's write can take the URL away now.
    assert.equal((await poll(id)).body.resultImageUrl, undefined);
  });

  test("another connection's writes (the CLI) are seen within the authentication cache's check interval", async () => {
    const id = await submit();
    const deleted = await submit();
    assert.equal((await poll(id)).body.status, 'PENDING');
    assert.equal((await poll(deleted)).status, 200);
    const other = openDatabase(ctx.config);
    try {
      await other.updateTable('generations').set({ status: 'PROCESSING' }).where('id', '=', id).execute();
      await other.deleteFrom('generations').where('id', '=', deleted).execute();
    } finally {
      await other.destroy();
    }
    await new Promise((r) => setTimeout(r, EXTERNAL_CHECK_MS + 20));
    assert.equal((await poll(id)).body.status, 'PROCESSING');
    assert.equal((await poll(deleted)).status, 404);
  });

  test("another account's poll of a kept row is refused (403), and does not change what the owner sees", async () => {
    const id = await submit();
    assert.equal((await poll(id)).status, 200);
    assert.equal(kept(id), cached);
    const stranger = await ctx.newAccount(0);
    const refused = await poll(id, stranger.apiKey);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'FORBIDDEN');
    assert.equal((await poll(id)).status, 200);
    assert.equal((await poll('gen_doesnotexist', stranger.apiKey)).status, 404);
  });

  test("/try-on/sync's fresh read replaces a kept row", async () => {
    if (!cached) return;
    const id = await submit();
    await poll(id);
    // A row kept from before another process's write, as if the 100 ms check had not come yet.
    const polled = ctx.deps.generations.polled!;
    const stale = polled.get(id)!;
    await ctx.deps.generations.complete(id, 'results/sync.png');
    polled.keep(id, stale, polled.epoch);
    assert.equal((await ctx.deps.generations.waitForTerminal(id, 1_000)).status, 'COMPLETED');
    assert.equal(polled.get(id)?.status, 'COMPLETED');
  });
});

describe('PolledGenerations', () => {
  test('holds at most its capacity, dropping the least recently polled', () => {
    const cache = new PolledGenerations<string>(3);
    for (const id of ['a', 'b', 'c']) cache.keep(id, id.toUpperCase(), cache.epoch);
    cache.get('a');
    cache.keep('d', 'D', cache.epoch);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('b'), undefined, 'b was the least recently polled');
    assert.deepEqual(
      ['a', 'c', 'd'].map((id) => cache.get(id)),
      ['A', 'C', 'D'],
    );
    for (let i = 0; i < 100; i++) cache.keep(`x${i}`, 'X', cache.epoch);
    assert.equal(cache.size, 3);
  });

  test('a read that began before a drop is not kept, and neither is the row kept meanwhile', () => {
    const cache = new PolledGenerations<string>(10);
    const before = cache.epoch;
    cache.drop(['other']);
    cache.keep('a', 'old', before);
    assert.equal(cache.get('a'), undefined);
    cache.keep('a', 'kept', cache.epoch);
    const began = cache.epoch;
    cache.drop(['b']);
    cache.keep('a', 'read before the drop', began);
    assert.equal(cache.get('a'), undefined);
  });

  test('drops the ids written, or every row', () => {
    const cache = new PolledGenerations<string>(10);
    for (const id of ['a', 'b', 'c']) cache.keep(id, id, cache.epoch);
    cache.drop(null);
    assert.equal(cache.size, 3);
    cache.drop(['a']);
    assert.deepEqual([cache.get('a'), cache.get('b')], [undefined, 'b']);
    cache.drop('all');
    assert.equal(cache.size, 0);
  });
});

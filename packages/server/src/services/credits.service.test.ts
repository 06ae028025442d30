import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newId } from '../ids.js';
import { createTestContext, type TestContext } from '../testing/test-server.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.close());

test('50 concurrent debits on a balance of 20 succeed exactly 20 times; the balance never goes negative', async () => {
  const acct = await ctx.newAccount(20);
  const attempts = Array.from({ length: 50 }, () =>
    ctx.deps.db.transaction().execute((tx) => ctx.deps.credits.debitForGeneration(tx, acct.id, newId('gen'))),
  );
  const results = await Promise.all(attempts);
  assert.equal(results.filter((r) => r !== null).length, 20);
  assert.equal(await ctx.deps.credits.balance(acct.id), 0);
  const ledger = await ctx.deps.credits.ledgerFor(acct.id);
  assert.equal(ledger.filter((l) => l.reason === 'generation_debit').length, 20);
  assert.equal(
    ledger.reduce((s, l) => s + l.delta, 0),
    0,
  );
});

test('two processes debiting the same database never oversell', async () => {
  const acct = await ctx.newAccount(10);
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { fileURLToPath } = await import('node:url');
  const script = fileURLToPath(new URL('../testing/debit-process.ts', import.meta.url));
  const other = promisify(execFile)(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', script, acct.id, '15'],
    { encoding: 'utf8', env: { ...process.env, ...ctx.dataEnv } },
  );
  const here = [];
  for (let i = 0; i < 15; i++) {
    here.push(
      await ctx.deps.db.transaction().execute((tx) => ctx.deps.credits.debitForGeneration(tx, acct.id, newId('gen'))),
    );
  }
  const otherOk = Number((await other).stdout.trim());
  assert.equal(here.filter((r) => r !== null).length + otherOk, 10);
  assert.equal(await ctx.deps.credits.balance(acct.id), 0);
});

test('refunds are idempotent: a generation is refunded at most once, and only if it was debited', async () => {
  const acct = await ctx.newAccount(2);
  const gen = newId('gen');
  await ctx.deps.db.transaction().execute((tx) => ctx.deps.credits.debitForGeneration(tx, acct.id, gen));
  assert.equal(await ctx.deps.credits.balance(acct.id), 1);
  const first = await ctx.deps.db.transaction().execute((tx) => ctx.deps.credits.refundGeneration(tx, acct.id, gen));
  const second = await ctx.deps.db.transaction().execute((tx) => ctx.deps.credits.refundGeneration(tx, acct.id, gen));
  assert.deepEqual([first, second], [true, false]);
  assert.equal(await ctx.deps.credits.balance(acct.id), 2);
  const never = await ctx.deps.db
    .transaction()
    .execute((tx) => ctx.deps.credits.refundGeneration(tx, acct.id, newId('gen')));
  assert.equal(never, false);
  assert.equal(await ctx.deps.credits.balance(acct.id), 2);
});

test('a debit whose transaction rolls back leaves neither a balance change nor a ledger row', async () => {
  const acct = await ctx.newAccount(5);
  await assert.rejects(
    ctx.deps.db.transaction().execute(async (tx) => {
      await ctx.deps.credits.debitForGeneration(tx, acct.id, newId('gen'));
      throw new Error('boom');
    }),
  );
  assert.equal(await ctx.deps.credits.balance(acct.id), 5);
  const ledger = await ctx.deps.credits.ledgerFor(acct.id);
  assert.deepEqual(
    ledger.map((l) => l.reason),
    ['grant'],
  );
});

test('top-ups write a ledger row with the reason; a negative adjustment can never overdraw', async () => {
  const acct = await ctx.newAccount(1);
  assert.equal(await ctx.deps.credits.grant(ctx.deps.db, acct.id, 9, 'top_up', 'invoice 42'), 10);
  await assert.rejects(ctx.deps.credits.grant(ctx.deps.db, acct.id, -11, 'adjustment', 'too much'), /negative/);
  assert.equal(await ctx.deps.credits.balance(acct.id), 10);
  const [latest] = await ctx.deps.credits.ledgerFor(acct.id);
  assert.equal(latest?.note, 'invoice 42');
  assert.equal(latest?.balance_after, 10);
});

test('an outfit debits one credit per product in one ledger row, only when all are there; its refund gives back all', async () => {
  const acct = await ctx.newAccount(3);
  const debit = (gen: string, amount: number) =>
    ctx.deps.db.transaction().execute((tx) => ctx.deps.credits.debitForGeneration(tx, acct.id, gen, amount));
  assert.equal(await debit(newId('gen'), 4), null, 'four products on a balance of 3: refused');
  assert.equal(await ctx.deps.credits.balance(acct.id), 3);
  const gen = newId('gen');
  assert.equal(await debit(gen, 2), 1);
  const refund = () => ctx.deps.db.transaction().execute((tx) => ctx.deps.credits.refundGeneration(tx, acct.id, gen));
  assert.deepEqual([await refund(), await refund()], [true, false]);
  assert.equal(await ctx.deps.credits.balance(acct.id), 3);
  const rows = (await ctx.deps.credits.ledgerFor(acct.id)).filter((l) => l.generation_id === gen);
  assert.deepEqual(rows.map((l) => [l.reason, l.delta]).sort(), [
    ['generation_debit', -2],
    ['generation_refund', 2],
  ]);
});

/**
 * The schema and the credit rules on a real PostgreSQL (the scale-out database): the same migrations apply, and the
 * single conditional debit holds under real concurrency (a pool of connections, unlike SQLite's one).
 * Uses the server at PG_TEST_URL (testing/test-database.ts), creating and dropping a database of its own. Skipped,
 * saying so, when no PostgreSQL answers there, unless CI is set: then it fails.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../ids.js';
import { systemClock } from '../ports/clock.js';
import { AccountsService } from '../services/accounts.service.js';
import { CreditsService } from '../services/credits.service.js';
import { createPostgresTestDatabase, PG_TEST_URL, postgresReachable } from '../testing/test-database.js';
import { openPostgres } from './database.js';
import { migrateToLatest } from './migrations.js';

test('PostgreSQL: migrations apply and 30 concurrent debits on a balance of 10 succeed exactly 10 times', async (t) => {
  if (!process.env.CI && !(await postgresReachable())) {
    t.skip(`no PostgreSQL at ${PG_TEST_URL}`);
    return;
  }
  const created = await createPostgresTestDatabase();
  const db = openPostgres(created.url, 10);
  try {
    assert.deepEqual(await migrateToLatest(db as never), [
      '0001_initial',
      '0002_idempotency_keys',
      '0003_engine_checks',
      '0004_generations_by_status',
      '0005_admin_api',
      '0006_identity_pass',
      '0007_webhooks',
      '0008_admin_lists',
      '0009_outfits',
    ]);
    assert.deepEqual(await migrateToLatest(db as never), [], 'idempotent');

    const credits = new CreditsService(db, systemClock);
    const accounts = new AccountsService(db, systemClock, credits);
    const acct = await accounts.create({ name: 'pg', credits: 10 });
    assert.equal((await accounts.authenticate(acct.apiKey))?.id, acct.id);

    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        db.transaction().execute((tx) => credits.debitForGeneration(tx, acct.id, newId('gen'))),
      ),
    );
    assert.equal(results.filter((r) => r !== null).length, 10);
    assert.equal(await credits.balance(acct.id), 0);
    // The CHECK constraint is there too: a direct attempt to go negative is refused by the database itself.
    await assert.rejects(db.updateTable('accounts').set({ credit_balance: -1 }).where('id', '=', acct.id).execute());
  } finally {
    await db.destroy();
    await created.drop();
  }
});

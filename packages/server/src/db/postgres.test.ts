/**
 * The schema and the credit rules on a real PostgreSQL (the scale-out database): the same migrations apply, and the
 * single conditional debit holds under real concurrency (a pool of connections, unlike SQLite's one).
 * Uses the server at PG_TEST_URL (default postgres://postgres@127.0.0.1:5432/postgres), creating and dropping a
 * database of its own. Skipped, saying so, when no PostgreSQL answers there.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { newId } from '../ids.js';
import { systemClock } from '../ports/clock.js';
import { AccountsService } from '../services/accounts.service.js';
import { CreditsService } from '../services/credits.service.js';
import { openPostgres } from './database.js';
import { migrateToLatest } from './migrations.js';

const adminUrl = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

test('PostgreSQL: migrations apply and 30 concurrent debits on a balance of 10 succeed exactly 10 times', async (t) => {
  if (!(await reachable())) {
    t.skip(`no PostgreSQL at ${adminUrl}`);
    return;
  }
  const name = `fitroom_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openPostgres(url.toString(), 10);
  try {
    assert.deepEqual(await migrateToLatest(db as never), [
      '0001_initial',
      '0002_idempotency_keys',
      '0003_engine_checks',
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
    await admin.query(`DROP DATABASE ${name}`);
    await admin.end();
  }
});

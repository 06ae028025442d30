/**
 * The auth cache across processes on PostgreSQL (adapters/pg-auth-changes.ts): two deployments' processes on one
 * database, as two API replicas or a server and the CLI. A key revoked or an account changed through one stops being
 * served from the other's cache within the 100 ms it checks at, not after the 5 s the cache holds an entry.
 * Skipped, saying so, when no PostgreSQL answers at PG_TEST_URL, unless CI is set: then it fails.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { parseConfig } from '../config.js';
import { createDeps, type Deps } from '../deps.js';
import {
  createPostgresTestDatabase,
  PG_TEST_URL,
  type PostgresTestDatabase,
  postgresReachable,
} from '../testing/test-database.js';

const skip = !process.env.CI && !(await postgresReachable()) ? `no PostgreSQL at ${PG_TEST_URL}` : false;

/** Polls until `check` holds, at most `ms`; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    assert.ok(Date.now() - start < ms, `not within ${ms} ms`);
    await sleep(20);
  }
  return Date.now() - start;
}

describe('auth cache across processes on PostgreSQL (LISTEN/NOTIFY)', { skip }, () => {
  let database: PostgresTestDatabase;
  const dirs: string[] = [];
  let a: Deps;
  let b: Deps;
  const open = () => {
    const dir = mkdtempSync(join(tmpdir(), 'fitroom-auth-'));
    dirs.push(dir);
    return createDeps(parseConfig({ DATA_DIR: dir, DATABASE_URL: database.url, VISION: 'off' }));
  };

  before(async () => {
    database = await createPostgresTestDatabase();
    a = await open();
    b = await open();
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('a key revoked through one process is refused by the other at once, not after the cache time', async () => {
    const account = await a.accounts.create({ name: 'replicas', credits: 1 });
    assert.equal((await b.accounts.authenticate(account.apiKey))?.id, account.id, 'cached in b now');
    assert.equal(await a.accounts.revokeKey(account.keyId), true);
    const took = await within(1_000, async () => (await b.accounts.authenticate(account.apiKey)) === null);
    assert.ok(took < 1_000, `${took} ms`);
  });

  test('an account changed through one process is seen by the other at once', async () => {
    const account = await a.accounts.create({ name: 'limits', credits: 1 });
    assert.equal((await b.accounts.authenticate(account.apiKey))?.rate_limit_per_min, null);
    await a.accounts.update(account.id, { rateLimitPerMin: 7 });
    await within(1_000, async () => (await b.accounts.authenticate(account.apiKey))?.rate_limit_per_min === 7);
  });

  test('while its listening connection is cut, a process does not serve from its cache; it listens again', async () => {
    const account = await a.accounts.create({ name: 'cut', credits: 1 });
    assert.ok(await b.accounts.authenticate(account.apiKey));
    // Cut every listening connection on this database (b's and a's): notifications sent now reach nobody.
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
              where datname = current_database() and query like 'LISTEN %'`.execute(a.db);
    await a.accounts.revokeKey(account.keyId);
    // Refused before b listens again (it retries a second after noticing the cut): its cache is off meanwhile.
    await within(800, async () => (await b.accounts.authenticate(account.apiKey)) === null);

    // Listening again (it retries every second), so a revocation reaches b's cache again.
    const listening = async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and query like 'LISTEN %'`.execute(a.db);
      return rows[0]!.n === 2;
    };
    await within(3_000, listening);
    const next = await a.accounts.create({ name: 'after', credits: 1 });
    assert.ok(await b.accounts.authenticate(next.apiKey));
    await a.accounts.revokeKey(next.keyId);
    await within(1_000, async () => (await b.accounts.authenticate(next.apiKey)) === null);
  });
});

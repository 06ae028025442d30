/**
 * The database the tests run on. By default every test server has its own SQLite file (the embedded deployment);
 * `FITROOM_TEST_DB=postgres` (what the second pass of `npm test` sets) gives each one a fresh PostgreSQL database
 * `fitroom_test_<random>` on the server at PG_TEST_URL, dropped when the test is done, so the same suites run on both.
 * With FITROOM_TEST_DB=postgres an unreachable server fails the tests; scripts/run-tests.mjs decides beforehand
 * whether to skip that pass (only outside CI).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Which database this test run puts its servers on. */
export const testDatabaseKind = (): 'sqlite' | 'postgres' =>
  process.env.FITROOM_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

export async function postgresReachable(url = PG_TEST_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export interface PostgresTestDatabase {
  /** Connection string of the new, empty database. */
  url: string;
  /** Drops it (closing whatever connections are still open on it). */
  drop(): Promise<void>;
}

/** A new empty database on the PG_TEST_URL server; fails, saying how to start one, when none answers. */
export async function createPostgresTestDatabase(): Promise<PostgresTestDatabase> {
  const name = `fitroom_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `no PostgreSQL at ${PG_TEST_URL} (${(err as Error).message}); start it with ` +
        '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or set PG_TEST_URL',
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_TEST_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_TEST_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

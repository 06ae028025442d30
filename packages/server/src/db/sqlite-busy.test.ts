/**
 * Two processes on one SQLite file (the server and the CLI): a transaction that reads before it writes must not be
 * failed by the other process committing in between. With a deferred BEGIN it was: SQLite cannot upgrade a WAL read
 * snapshot that another connection has moved past, and answers SQLITE_BUSY at once, whatever busy_timeout says.
 *
 * SQLite only: it is about SQLite's single write lock.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openSqlite } from './database.js';

const serverPackage = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The other process: one write per line on stdin, answering `committed` or `busy`. Its busy_timeout is 0 so that it
 * never waits: the answer tells at once whether this process's transaction held the write lock.
 */
const OTHER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('busy_timeout = 0');
require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
  try { db.prepare('insert into t (x) values (2)').run(); console.log('committed'); }
  catch (err) { console.log(err.code === 'SQLITE_BUSY' ? 'busy' : 'error ' + err.message); }
});
`;

test('a read-then-write transaction is not failed by another process committing between its read and its write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fitroom-busy-'));
  const file = join(dir, 'db.sqlite');
  const db = openSqlite(file);
  const other = spawn(process.execPath, ['-e', OTHER, file], {
    cwd: serverPackage,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const answers = createInterface({ input: other.stdout! })[Symbol.asyncIterator]();
  const otherWrite = async () => {
    other.stdin!.write('go\n');
    return String((await answers.next()).value);
  };
  try {
    await sql`create table t (x integer)`.execute(db);
    let during = '';
    await db.transaction().execute(async (tx) => {
      await sql`select count(*) from t`.execute(tx);
      during = await otherWrite(); // the CLI writing while the server is between its read and its write
      await sql`insert into t (x) values (1)`.execute(tx);
    });
    // The transaction held the write lock from its start, so the other process had to wait (a real busy_timeout
    // waits; this one answers at once) rather than move the database on under it.
    assert.equal(during, 'busy');
    assert.equal(await otherWrite(), 'committed', 'and it writes once the transaction has committed');
    const rows = await sql<{ x: number }>`select x from t order by rowid`.execute(db);
    assert.deepEqual(
      rows.rows.map((r) => r.x),
      [1, 2],
    );
  } finally {
    other.kill();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

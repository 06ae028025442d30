/**
 * prepare()'s synchronous SQLite read (database.ts's rowReader) returns the rows Kysely returns for the same query:
 * the same keys in the same order and the same values, a column name repeated by a join included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openSqlite } from './database.js';
import { prepare } from './prepared.js';

test('a prepared read returns the rows Kysely returns, key order and repeated names included', async (t) => {
  const db = openSqlite(':memory:');
  t.after(() => db.destroy());
  await sql`create table a (id text primary key, name text, n integer, f real, b blob, z text)`.execute(db);
  await sql`create table b (id text primary key, a_id text, name text)`.execute(db);
  await sql`insert into a values ('a1', 'first', 7, 1.5, x'00ff', null), ('a2', 'é€😀', -3, 0, null, 'z')`.execute(db);
  await sql`insert into b values ('b1', 'a1', 'joined'), ('b2', 'a2', 'other')`.execute(db);

  // A join that repeats a column name (`name`), as the key lookup's selectAll('accounts') + api_keys columns could.
  const byName = (name: string) =>
    // biome-ignore lint/suspicious/noExplicitAny: the test's own tables are not in the schema
    (db as any)
      .selectFrom('b')
      .innerJoin('a', 'a.id', 'b.a_id')
      .selectAll('a')
      .select(['b.name', 'b.id as b_id'])
      .where('a.name', '=', name);
  const read = prepare(db, byName, ['$name']);
  // The first call prepares the statement; the later ones reuse it.
  for (const name of ['first', 'é€😀', 'first', 'none']) {
    const direct = read(name);
    assert.ok(!(direct instanceof Promise), 'read synchronously on an idle connection');
    const viaKysely = (await byName(name).execute()) as unknown[];
    assert.deepEqual(direct, viaKysely);
    for (const [i, row] of viaKysely.entries()) {
      assert.deepEqual(Object.keys((direct as object[])[i]!), Object.keys(row as object));
    }
  }
  const [row] = (await read('first')) as Array<Record<string, unknown>>;
  assert.equal(row!.name, 'joined', 'a repeated name keeps its last value, as better-sqlite3 gives it');
  assert.deepEqual(row!.b, Buffer.from([0, 255]));
});

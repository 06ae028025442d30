/**
 * What generation-writes.ts reads from a statement: the rows of `generations` it may have changed. The shapes are the
 * writers' own (generations, customers and retention services); what it cannot pin to ids must come out as every row.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { onStatement, openSqlite } from './database.js';
import { generationRowsWritten } from './generation-writes.js';

describe('generationRowsWritten', () => {
  const db = openSqlite(':memory:');
  after(() => db.destroy());
  const of = (query: { compile(): CompiledQuery }) => generationRowsWritten(query.compile());

  test('reads, transaction control and inserts of new rows change nothing', () => {
    assert.equal(of(db.selectFrom('generations').selectAll().where('id', '=', 'gen_a')), null);
    assert.equal(generationRowsWritten(CompiledQuery.raw('PRAGMA data_version')), null);
    assert.equal(generationRowsWritten(CompiledQuery.raw('select "id" from "generations" where "id" = ?', [])), null);
    assert.equal(generationRowsWritten(CompiledQuery.raw('begin immediate')), null);
    assert.equal(generationRowsWritten(CompiledQuery.raw('commit')), null);
    assert.equal(of(db.insertInto('generations').values({ id: 'gen_a' } as never)), null);
    assert.equal(of(db.insertInto('jobs').values({ id: 'job_a' } as never)), null);
  });

  test("writes to tables that cannot reach generations' rows change nothing", () => {
    assert.equal(of(db.updateTable('jobs').set({ status: 'done' }).where('id', '=', 'job_a')), null);
    assert.equal(of(db.updateTable('accounts').set({ name: 'x' }).where('id', '=', 'acc_a')), null);
  });

  test('an UPDATE or DELETE of generations by id changes those ids', () => {
    const transition = db
      .updateTable('generations')
      .set({ status: 'PROCESSING', updated_at: 'now' })
      .where('id', '=', 'gen_a')
      .where('status', 'in', ['PENDING', 'PROCESSING']);
    assert.deepEqual(of(transition), ['gen_a']);
    // The status condition first, the id second: either side of an AND bounds the rows.
    const swapped = db
      .updateTable('generations')
      .set({ status: 'FAILED' })
      .where('status', 'in', ['PENDING'])
      .where('generations.id', '=', 'gen_b');
    assert.deepEqual(of(swapped), ['gen_b']);
    const erase = db.updateTable('generations').set({ result_blob_key: null }).where('id', 'in', ['gen_a', 'gen_b']);
    assert.deepEqual(of(erase), ['gen_a', 'gen_b']);
    assert.deepEqual(of(db.deleteFrom('generations').where('id', '=', 'gen_c')), ['gen_c']);
  });

  test('anything else that may change generations changes every row', () => {
    assert.equal(of(db.updateTable('generations').set({ status: 'FAILED' }).where('account_id', '=', 'acc_a')), 'all');
    assert.equal(
      of(
        db
          .updateTable('generations')
          .set({ status: 'FAILED' })
          .where((eb) => eb.or([eb('id', '=', 'gen_a'), eb('account_id', '=', 'acc_a')])),
      ),
      'all',
    );
    assert.equal(of(db.updateTable('generations').set({ status: 'FAILED' })), 'all');
    assert.equal(of(db.deleteFrom('generations').where('expires_at', '<=', 'now')), 'all');
    // Deleting an account deletes its generations (ON DELETE CASCADE); any other DELETE is counted the same way.
    assert.equal(of(db.deleteFrom('accounts').where('id', '=', 'acc_a')), 'all');
    assert.equal(of(db.deleteFrom('images').where('id', '=', 'img_a')), 'all');
    assert.equal(of(db.replaceInto('accounts').values({ id: 'acc_a' } as never)), 'all');
    assert.equal(
      of(
        db
          .insertInto('generations')
          .values({ id: 'gen_a' } as never)
          .onConflict((oc) => oc.column('id').doUpdateSet({ status: 'FAILED' })),
      ),
      'all',
    );
    assert.equal(generationRowsWritten(sql`update generations set status = 'FAILED'`.compile(db)), 'all');
    assert.equal(generationRowsWritten(CompiledQuery.raw('delete from accounts')), 'all');
    assert.equal(of(db.schema.alterTable('generations').addColumn('x', 'text')), 'all');
  });

  test("the embedded database reports each statement it ran, a transaction's included", async () => {
    const file = openSqlite(':memory:');
    const seen: string[] = [];
    assert.equal(
      onStatement(file, (query) => seen.push(query.sql)),
      true,
    );
    await sql`create table t (id text)`.execute(file);
    await file.transaction().execute(async (tx) => {
      await tx
        .insertInto('t' as never)
        .values({ id: 'a' } as never)
        .execute();
    });
    await file.destroy();
    assert.deepEqual(seen, [
      'create table t (id text)',
      'begin immediate',
      'insert into "t" ("id") values (?)',
      'commit',
    ]);
  });
});

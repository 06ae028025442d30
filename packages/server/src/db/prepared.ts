/**
 * Hot-path queries compiled once. Kysely builds and compiles a query object on every call; on a request that does
 * nothing but two point reads (GET /generations/:id) that costs more than SQLite itself. A prepared query is built
 * once with placeholder values, compiled by the deployment's own dialect (so it stays portable), and executed with
 * fresh parameters in the same order.
 */
import { type Compilable, CompiledQuery } from 'kysely';
import type { MaybePromise } from '../maybe-async.js';
import { type DbOrTx, directReaderOf } from './database.js';

export function prepare<Row, Args extends unknown[]>(
  db: DbOrTx,
  build: (...placeholders: Args) => Compilable<Row>,
  placeholders: Args,
): (...args: Args) => MaybePromise<Row[]> {
  const compiled = build(...placeholders).compile();
  // Map each placeholder to its position(s) in the compiled parameter list.
  const positions = compiled.parameters.map((p) => placeholders.indexOf(p));
  if (positions.some((i) => i < 0)) throw new Error('prepare(): every parameter must be one of the placeholders');
  const direct = directReaderOf(db);
  // The rows themselves when they could be read at once, else a promise of them (see maybe-async.ts).
  return (...args: Args) => {
    const params = positions.map((i) => args[i]);
    // Embedded SQLite with an idle connection: read synchronously (a third of the cost of Kysely's async path).
    const rows = direct?.(compiled.sql, params);
    if (rows) return rows as Row[];
    return db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, params)).then((result) => result.rows);
  };
}

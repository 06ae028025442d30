/**
 * Lost races on a UNIQUE constraint. Under PostgreSQL (READ COMMITTED, many connections) two transactions can both
 * find no row and both insert it; the second insert fails with a unique violation when the first commits. SQLite
 * cannot get there: its transactions take the write lock at BEGIN (database.ts), so the second one starts after the
 * first committed and finds the row.
 */

/** PostgreSQL's SQLSTATE for unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** Whether `err` is PostgreSQL refusing a row that would break the named unique constraint. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return e?.code === UNIQUE_VIOLATION && e.constraint === constraint;
}

/**
 * Runs `transaction`, and once more if it lost a race on `constraint`: the winner has committed by then, so the second
 * run finds its row and takes the path it would have taken had the two requests come one after the other. The
 * transaction must have rolled back entirely (Kysely's `transaction().execute` does) and must be safe to run again.
 */
export async function retryOnceIfRaced<T>(constraint: string, transaction: () => Promise<T>): Promise<T> {
  try {
    return await transaction();
  } catch (err) {
    if (!isUniqueViolation(err, constraint)) throw err;
    return transaction();
  }
}

/**
 * Keyset pages, newest first, for the admin API's lists: ordered by (created_at desc, id desc), the cursor is the
 * last row's pair. Stable under inserts (a new row never shifts a page) and one indexed range scan per page, on
 * SQLite and PostgreSQL alike (timestamps are ISO strings, which sort as text in time order).
 */
import { type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import { ApiError } from '../errors.js';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

interface Position {
  createdAt: string;
  id: string;
}

const invalidCursor = () =>
  new ApiError('VALIDATION_FAILED', 'Invalid cursor.', [{ path: 'cursor', message: 'Invalid cursor' }]);

export function decodeCursor(cursor: string | undefined): Position | null {
  if (cursor === undefined) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [createdAt, id] = parsed as unknown[];
      if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
    }
  } catch {}
  throw invalidCursor();
}

const encodeCursor = (row: { created_at: string; id: string }) =>
  Buffer.from(JSON.stringify([row.created_at, row.id])).toString('base64url');

/** The condition "comes after the cursor in newest-first order" on a table's (created_at, id) columns. */
export function olderThan(position: Position, table: string): RawBuilder<boolean> {
  const created = sql.ref(`${table}.created_at`);
  const id = sql.ref(`${table}.id`);
  return sql<boolean>`(${created} < ${position.createdAt} or (${created} = ${position.createdAt} and ${id} < ${position.id}))`;
}

/**
 * The page out of `limit + 1` rows fetched in order: the extra row only tells whether another page follows.
 */
export function pageOf<R extends { created_at: string; id: string }>(rows: R[], limit: number): Page<R> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/**
 * One page of `query` (a select from `table`, already filtered by the caller): the rows after the cursor, newest
 * first, `limit` of them and the cursor of the next page. An invalid cursor is VALIDATION_FAILED before any query.
 */
export async function newestFirstPage<DB, TB extends keyof DB, R extends { created_at: string; id: string }>(
  query: SelectQueryBuilder<DB, TB, R>,
  table: TB & string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<R>> {
  const after = decodeCursor(page.cursor);
  const rows = await (after ? query.where(olderThan(after, table)) : query)
    .orderBy(sql.ref('created_at'), 'desc')
    .orderBy(sql.ref('id'), 'desc')
    .limit(page.limit + 1)
    .execute();
  return pageOf(rows, page.limit);
}

/** A LIKE pattern matching `text` anywhere, its wildcards escaped (used with `escape '\'`). */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** `lower(column) like lower(pattern) escape '\'`: a case-insensitive substring match on SQLite and PostgreSQL. */
export function matches(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) like lower(${containsPattern(text)}) escape '\\'`;
}

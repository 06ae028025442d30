/**
 * Usage per UTC day and account (the admin API's GET /usage): generations by outcome from `generations`, credits from
 * `credit_ledger`. The credits try-ons used count on the day the try-on was accepted (a refund of a failure that ended
 * after midnight still cancels its debit on the same day, so a day's figure never goes negative), the credits
 * operators moved on the day they moved them. Counted in SQL, grouped by the first ten characters of the stored timestamps (they are ISO-8601
 * UTC strings on SQLite and PostgreSQL alike, so the day is a substring and the range a text comparison).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface UsageQuery {
  /** Inclusive, ISO-8601 UTC as stored. */
  from: string;
  /** Exclusive. */
  to: string;
  accountId?: string;
}

export interface UsageDay {
  /** YYYY-MM-DD (UTC). */
  date: string;
  accountId: string;
  /** Accepted try-ons, whatever became of them. */
  generations: number;
  completed: number;
  failed: number;
  /** Credits the try-ons accepted that day used: their debits less the refunds of those that failed. */
  creditsUsed: number;
  /** Credits given by an operator (at creation, top-ups). */
  creditsAdded: number;
  /** Credits an operator took back (negative adjustments). */
  creditsRemoved: number;
}

// Literal SQL (no parameters) so that the selected and grouped expressions are the same text: PostgreSQL refuses
// `substr(created_at, $1, $2)` in SELECT beside `substr(created_at, $3, $4)` in GROUP BY.
const GEN_DAY = sql<string>`substr(generations.created_at, 1, 10)`;
const LEDGER_DAY = sql<string>`substr(credit_ledger.created_at, 1, 10)`;
const TRY_ON_REASONS = ['generation_debit', 'generation_refund'] as const;

export async function usageByDay(db: Db, query: UsageQuery): Promise<UsageDay[]> {
  let generations = db
    .selectFrom('generations')
    .select([
      GEN_DAY.as('day'),
      'account_id',
      sql<number | string>`count(*)`.as('generations'),
      sql<number | string>`sum(case when status = 'COMPLETED' then 1 else 0 end)`.as('completed'),
      sql<number | string>`sum(case when status = 'FAILED' then 1 else 0 end)`.as('failed'),
    ])
    .where('created_at', '>=', query.from)
    .where('created_at', '<', query.to);
  let used = db
    .selectFrom('credit_ledger')
    .innerJoin('generations', 'generations.id', 'credit_ledger.generation_id')
    .select([GEN_DAY.as('day'), 'generations.account_id', sql<number | string>`sum(-credit_ledger.delta)`.as('used')])
    .where('credit_ledger.reason', 'in', TRY_ON_REASONS)
    .where('generations.created_at', '>=', query.from)
    .where('generations.created_at', '<', query.to);
  let moved = db
    .selectFrom('credit_ledger')
    .select([
      LEDGER_DAY.as('day'),
      'account_id',
      sql<number | string>`sum(case when delta > 0 then delta else 0 end)`.as('added'),
      sql<number | string>`sum(case when delta < 0 then -delta else 0 end)`.as('removed'),
    ])
    .where('reason', 'not in', TRY_ON_REASONS)
    .where('created_at', '>=', query.from)
    .where('created_at', '<', query.to);
  if (query.accountId) {
    generations = generations.where('account_id', '=', query.accountId);
    used = used.where('generations.account_id', '=', query.accountId);
    moved = moved.where('account_id', '=', query.accountId);
  }
  const [genRows, usedRows, movedRows] = await Promise.all([
    generations.groupBy([GEN_DAY, 'account_id']).execute(),
    used.groupBy([GEN_DAY, 'generations.account_id']).execute(),
    moved.groupBy([LEDGER_DAY, 'account_id']).execute(),
  ]);

  // PostgreSQL answers count() and sum() of integers as bigint, which node-postgres hands over as strings.
  const days = new Map<string, UsageDay>();
  const dayOf = (date: string, accountId: string): UsageDay => {
    const key = `${date} ${accountId}`;
    let day = days.get(key);
    if (!day) {
      day = {
        date,
        accountId,
        generations: 0,
        completed: 0,
        failed: 0,
        creditsUsed: 0,
        creditsAdded: 0,
        creditsRemoved: 0,
      };
      days.set(key, day);
    }
    return day;
  };
  for (const r of genRows) {
    const day = dayOf(r.day, r.account_id);
    day.generations = Number(r.generations);
    day.completed = Number(r.completed);
    day.failed = Number(r.failed);
  }
  for (const r of usedRows) dayOf(r.day, r.account_id).creditsUsed = Number(r.used);
  for (const r of movedRows) {
    const day = dayOf(r.day, r.account_id);
    day.creditsAdded = Number(r.added);
    day.creditsRemoved = Number(r.removed);
  }
  return [...days.values()].sort((a, b) =>
    a.date === b.date ? (a.accountId < b.accountId ? -1 : 1) : a.date < b.date ? -1 : 1,
  );
}

/**
 * Credits move only here: one conditional UPDATE plus a ledger row, in one transaction (architecture.md §4).
 * The CHECK (credit_balance >= 0) constraint is the last line of defence; the WHERE clause is the first.
 */
import { type Selectable, sql } from 'kysely';
import type { Db, DbOrTx, Tx } from '../db/database.js';
import { prepare } from '../db/prepared.js';
import type { CreditLedgerTable, LedgerReason } from '../db/schema.js';
import { newId } from '../ids.js';
import type { Clock } from '../ports/clock.js';

export type LedgerRow = Selectable<CreditLedgerTable>;

/** A removal of credits larger than the balance: nothing changed. */
export class OverdrawError extends Error {
  constructor(readonly balance: number) {
    // The message `fitroom credits add` has always printed for this.
    super('balance would become negative');
    this.name = 'OverdrawError';
  }
}

export class CreditsService {
  private readonly balanceOf;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.balanceOf = prepare(
      db,
      (id: string) => db.selectFrom('accounts').select('credit_balance').where('id', '=', id),
      ['$id'],
    );
  }

  async balance(accountId: string): Promise<number> {
    const [row] = await this.balanceOf(accountId);
    return row?.credit_balance ?? 0;
  }

  /**
   * Debits a generation's credits: one, or one per product of an outfit (`amount`), in one ledger row. Returns the
   * new balance, or null when the balance is below `amount` (the caller answers 402 and rolls back). Must run inside
   * the transaction that creates the generation.
   */
  async debitForGeneration(tx: Tx, accountId: string, generationId: string, amount = 1): Promise<number | null> {
    if (!Number.isInteger(amount) || amount < 1) throw new Error('amount must be a positive integer');
    const row = await tx
      .updateTable('accounts')
      .set({ credit_balance: sql<number>`credit_balance - ${amount}` })
      .where('id', '=', accountId)
      .where('credit_balance', '>=', amount)
      .returning('credit_balance')
      .executeTakeFirst();
    if (!row) return null;
    await this.ledger(tx, accountId, -amount, 'generation_debit', row.credit_balance, generationId);
    return row.credit_balance;
  }

  /**
   * Gives back what a failed generation was debited (one credit, or an outfit's one per product). Idempotent: the
   * ledger's UNIQUE (generation_id, reason) means a second refund of the same generation inserts nothing and changes
   * no balance. Runs in the caller's transaction (the one that marks the generation FAILED). Returns whether a refund
   * happened.
   */
  async refundGeneration(tx: Tx, accountId: string, generationId: string): Promise<boolean> {
    const rows = await tx
      .selectFrom('credit_ledger')
      .select(['reason', 'delta'])
      .where('generation_id', '=', generationId)
      .execute();
    const debit = rows.find((r) => r.reason === 'generation_debit');
    if (!debit || rows.some((r) => r.reason === 'generation_refund')) return false;
    const amount = -debit.delta;
    const row = await tx
      .updateTable('accounts')
      .set({ credit_balance: sql<number>`credit_balance + ${amount}` })
      .where('id', '=', accountId)
      .returning('credit_balance')
      .executeTakeFirstOrThrow();
    await this.ledger(tx, accountId, amount, 'generation_refund', row.credit_balance, generationId);
    return true;
  }

  /** Adds (or, with a negative amount, removes, never below zero) credits with a ledger row and a reason. */
  async grant(db: DbOrTx, accountId: string, amount: number, reason: LedgerReason, note: string): Promise<number> {
    return (await this.grantWithEntry(db, accountId, amount, reason, note)).balance;
  }

  /**
   * `grant`, answering the ledger row it wrote too (the admin API shows it). A removal that would take the balance
   * below zero changes nothing and throws OverdrawError.
   */
  async grantWithEntry(
    db: DbOrTx,
    accountId: string,
    amount: number,
    reason: LedgerReason,
    note: string,
  ): Promise<{ balance: number; entry: LedgerRow }> {
    if (!Number.isInteger(amount) || amount === 0) throw new Error('amount must be a non-zero integer');
    const run = async (tx: Tx) => {
      const row = await tx
        .updateTable('accounts')
        .set({ credit_balance: sql<number>`credit_balance + ${amount}` })
        .where('id', '=', accountId)
        .where('credit_balance', '>=', Math.max(0, -amount))
        .returning('credit_balance')
        .executeTakeFirst();
      if (!row) {
        if (amount > 0) throw new Error(`unknown account: ${accountId}`);
        const current = await tx
          .selectFrom('accounts')
          .select('credit_balance')
          .where('id', '=', accountId)
          .executeTakeFirst();
        if (!current) throw new Error(`unknown account: ${accountId}`);
        throw new OverdrawError(current.credit_balance);
      }
      const entry = await this.ledger(tx, accountId, amount, reason, row.credit_balance, null, note);
      return { balance: row.credit_balance, entry };
    };
    return 'isTransaction' in db && db.isTransaction ? run(db as Tx) : (db as Db).transaction().execute(run);
  }

  async ledgerFor(accountId: string, limit = 100) {
    return this.db
      .selectFrom('credit_ledger')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  private async ledger(
    tx: Tx,
    accountId: string,
    delta: number,
    reason: LedgerReason,
    balanceAfter: number,
    generationId: string | null,
    note: string | null = null,
  ): Promise<LedgerRow> {
    const entry: LedgerRow = {
      id: newId('led'),
      account_id: accountId,
      delta,
      reason,
      generation_id: generationId,
      note,
      balance_after: balanceAfter,
      created_at: this.clock.now().toISOString(),
    };
    await tx.insertInto('credit_ledger').values(entry).execute();
    return entry;
  }
}

/**
 * The generation rows clients poll, kept in memory (GET /generations/:id: the SQLite point read was about 15% of the
 * poll's CPU). Only rows a poll read are kept, never a missing id (so a generation created since is found at once),
 * at most `capacity` of them, the least recently polled dropped first. What is kept is the row as the database
 * gave it; the answer is made from it on each poll (`toApi`: the signed result URL depends on the time).
 *
 * A poll never answers a state older than the database held when this process last looked:
 * - Every statement this process runs goes through the embedded database's one connection, which reports it
 *   (db/database.ts `onStatement`); the rows it may have changed are dropped (db/generation-writes.ts) before any
 *   other query of the process can run. A read that began before such a drop and ends after it (a read that waited
 *   for the connection) is answered but not kept (`epoch`).
 * - Other processes' commits (the CLI, a second server on the DATA_DIR) drop every row through the check the
 *   authentication cache uses (external-writes.ts): within 100 ms, as a revoked key.
 * - A fresh read made elsewhere (/try-on/sync's wait) replaces the kept row, so a poll after it cannot go back.
 *
 * On PostgreSQL the cache is off: the workers are other processes there, and the deployment's change feed (NOTIFY)
 * carries key and account changes only; NOTIFYing every generation transition so that replicas could drop their rows
 * would add a round trip to each transition for a read PostgreSQL serves from its own cache anyway.
 *
 * Tenant isolation is the caller's, as without the cache: the row carries its account, checked on every poll.
 */
import { type Db, onStatement } from '../db/database.js';
import { type GenerationRowsWritten, generationRowsWritten } from '../db/generation-writes.js';
import type { ExternalWrites } from './external-writes.js';

/** Rows kept at most: a few hundred bytes each (an outfit's a few kilobytes), for the generations being polled now. */
export const POLLED_GENERATIONS_CAPACITY = 10_000;

export class PolledGenerations<Row> {
  /** Insertion order is recency order: a hit moves its row to the end, the first is the least recently polled. */
  private readonly rows = new Map<string, Row>();
  /** Counts the drops: a read that saw another value began before a drop, and may have read the row before it. */
  private drops = 0;

  /**
   * The cache of `db`'s polled rows, or null when `db` cannot report its statements (PostgreSQL) or `external` does
   * not see other processes' writes to every table.
   */
  static on<Row>(
    db: Db,
    external: ExternalWrites,
    capacity = POLLED_GENERATIONS_CAPACITY,
  ): PolledGenerations<Row> | null {
    if (!external.coversEveryTable) return null;
    const cache = new PolledGenerations<Row>(capacity);
    if (!onStatement(db, (query) => cache.drop(generationRowsWritten(query)))) return null;
    external.onChange(() => cache.drop('all'));
    return cache;
  }

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.rows.size;
  }

  /** What `keep` and `refresh` need from before the read. */
  get epoch(): number {
    return this.drops;
  }

  /** The kept row, now the most recently polled. */
  get(id: string): Row | undefined {
    const row = this.rows.get(id);
    if (row !== undefined) {
      this.rows.delete(id);
      this.rows.set(id, row);
    }
    return row;
  }

  /**
   * Keeps a row a poll read, unless something was dropped since the read began (`epoch` then): the read may then be
   * older or newer than a row kept meanwhile, and neither is kept.
   */
  keep(id: string, row: Row, epoch: number): void {
    this.rows.delete(id);
    if (epoch !== this.drops) return;
    if (this.rows.size >= this.capacity) this.rows.delete(this.rows.keys().next().value!);
    this.rows.set(id, row);
  }

  /** Replaces a kept row with a fresher read of it (read elsewhere than a poll); a row not kept stays out. */
  refresh(id: string, row: Row | undefined, epoch: number): void {
    if (!this.rows.has(id)) return;
    if (row === undefined) this.rows.delete(id);
    else this.keep(id, row, epoch);
  }

  drop(written: GenerationRowsWritten): void {
    if (written === null) return;
    this.drops++;
    if (written === 'all') this.rows.clear();
    else for (const id of written) this.rows.delete(id);
  }
}

/**
 * Other processes' commits as this process's caches notice them: the authentication cache (accounts.service.ts) and
 * the polled generation rows (polled-generations.ts) share one check, so that one query every 100 ms at most asks
 * the database whether anything changed, whichever cache asks first.
 *
 * The feed is the deployment's `AuthChanges` (ports/auth-changes.ts). On the embedded SQLite database its value is
 * `PRAGMA data_version`, which changes on every commit by another connection (the CLI, a second server on the
 * DATA_DIR), whatever table it wrote; on PostgreSQL it changes only on the NOTIFY that follows a key or account
 * change, so there it says nothing about generation rows (see `coversEveryTable`).
 */
import type { AuthChanges } from '../ports/auth-changes.js';

/** How often the database is asked at most: other processes' changes reach the caches within this. */
export const EXTERNAL_CHECK_MS = 100;

export class ExternalWrites {
  private last: unknown = undefined;
  private lastCheck = Number.NEGATIVE_INFINITY;
  private readonly drops: Array<() => void> = [];

  constructor(
    private readonly feed: Pick<AuthChanges, 'version'>,
    /**
     * True when the feed changes on any other process's commit (SQLite's data_version), false when only on key and
     * account changes (PostgreSQL's NOTIFY): a cache of other rows may rely on the feed only when true.
     */
    readonly coversEveryTable: boolean,
  ) {}

  /** `drop` runs when another process's change is noticed (and on the first check: nothing was seen before it). */
  onChange(drop: () => void): void {
    this.drops.push(drop);
  }

  /**
   * Asks the database, unless it was asked less than 100 ms ago: undefined then, and a cache may answer at once.
   * Otherwise a promise that resolves once the caches are dropped if something changed; requests that come while it
   * waits are answered from the caches as they are (they were checked less than 100 ms ago).
   */
  check(now = Date.now()): Promise<void> | undefined {
    if (now - this.lastCheck < EXTERNAL_CHECK_MS) return undefined;
    this.lastCheck = now;
    return this.feed.version().then((version) => {
      if (version === this.last) return;
      this.last = version;
      for (const drop of this.drops) drop();
    });
  }
}

/**
 * AuthChanges on PostgreSQL, with LISTEN/NOTIFY: a process that changes a key or an account sends a NOTIFY on
 * `fitroom_auth_changes`, and every process counts what its listener (pg-listener.ts) hears.
 *
 * Chosen over a shorter cache TTL because a revoked key then stops working everywhere within the auth cache's 100 ms
 * check interval, as in the embedded deployment, without a query per request. Notifications are not durable: while
 * the listener is down, `version()` returns a new value on every call (the cache is off and every request reads its
 * key); when it is back, the count moves once more, dropping whatever was cached before the gap.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { AuthChanges } from '../ports/auth-changes.js';
import type { PgListener } from './pg-listener.js';

export const AUTH_CHANGES_CHANNEL = 'fitroom_auth_changes';

export class PgAuthChanges implements AuthChanges {
  private heard = 0;

  /** `listener` must have been started with AUTH_CHANGES_CHANNEL; the caller closes it. */
  constructor(
    private readonly db: Db,
    private readonly listener: PgListener,
  ) {
    listener.on(AUTH_CHANGES_CHANNEL, () => this.heard++);
    listener.onReconnected(() => this.heard++);
  }

  async version(): Promise<unknown> {
    if (!this.listener.listening) this.heard++;
    return this.heard;
  }

  async announce(): Promise<void> {
    await sql`select pg_notify(${AUTH_CHANGES_CHANNEL}, '')`.execute(this.db);
  }

  async close(): Promise<void> {}
}

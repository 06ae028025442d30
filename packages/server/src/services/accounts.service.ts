/** Accounts and API keys: creation, listing, key issue/revocation, and authentication by key hash. */
import type { Db } from '../db/database.js';
import { prepare } from '../db/prepared.js';
import type { Account } from '../db/schema.js';
import { newApiKey, newId, sha256Hex } from '../ids.js';
import type { AuthChanges } from '../ports/auth-changes.js';
import type { Clock } from '../ports/clock.js';
import type { CreditsService } from './credits.service.js';

export interface CreatedAccount {
  id: string;
  name: string;
  creditBalance: number;
  keyId: string;
  apiKey: string;
}

/** How long an authenticated key is trusted without asking the database again (see `authenticate`). */
const AUTH_CACHE_MS = 5_000;
const EXTERNAL_CHECK_MS = 100;

export class AccountsService {
  private readonly authCache = new Map<string, { account: Account; until: number }>();
  private readonly lookupKey;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly credits: CreditsService,
    /** Other processes' changes to keys and accounts (the CLI, other replicas): the cache is dropped on each. */
    private readonly changes: AuthChanges = { version: async () => 0, announce: async () => {}, close: async () => {} },
  ) {
    this.lookupKey = prepare(
      db,
      (hash: string) =>
        db
          .selectFrom('api_keys')
          .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
          .selectAll('accounts')
          .where('api_keys.key_hash', '=', hash)
          .where('api_keys.revoked_at', 'is', null)
          .where('accounts.disabled_at', 'is', null),
      ['$hash'],
    );
  }

  private lastExternalWrites: unknown = undefined;
  private lastExternalCheck = 0;

  /** Forgets cached authentications (after a key is revoked or an account changes). */
  invalidateAuth(): void {
    this.authCache.clear();
  }

  async create(input: { name: string; credits?: number; rateLimitPerMin?: number | null }): Promise<CreatedAccount> {
    const now = this.clock.now().toISOString();
    const id = newId('acc');
    const result = await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('accounts')
        .values({
          id,
          name: input.name,
          credit_balance: 0,
          rate_limit_per_min: input.rateLimitPerMin ?? null,
          retention_days: 7,
          logo_blob_key: null,
          engine: null,
          engine_checks: null,
          disabled_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const balance = input.credits ? await this.credits.grant(tx, id, input.credits, 'grant', 'initial credits') : 0;
      const key = await this.issueKey(tx, id);
      return { balance, key };
    });
    return { id, name: input.name, creditBalance: result.balance, keyId: result.key.id, apiKey: result.key.apiKey };
  }

  async issueKey(db: Pick<Db, 'insertInto'>, accountId: string): Promise<{ id: string; apiKey: string }> {
    const apiKey = newApiKey();
    const id = newId('key');
    await db
      .insertInto('api_keys')
      .values({
        id,
        account_id: accountId,
        key_hash: sha256Hex(apiKey),
        key_prefix: apiKey.slice(0, 7),
        created_at: this.clock.now().toISOString(),
        revoked_at: null,
      })
      .execute();
    return { id, apiKey };
  }

  async createKey(accountId: string): Promise<{ id: string; apiKey: string }> {
    await this.require(accountId);
    return this.issueKey(this.db, accountId);
  }

  /** Returns false when the key does not exist or was already revoked. */
  async revokeKey(keyId: string): Promise<boolean> {
    const res = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: this.clock.now().toISOString() })
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    this.invalidateAuth();
    await this.changes.announce();
    return Number(res.numUpdatedRows) === 1;
  }

  /**
   * The account a key belongs to, or null for an unknown or revoked key or a disabled account.
   *
   * Successful lookups are cached for a few seconds (the key lookup was the largest cost of a polling request).
   * Revocation stays prompt: changes made by this process invalidate the cache directly, and a commit by another
   * process (the CLI revoking a key while the server runs, another replica) is noticed through `changes` within 100 ms.
   * Failures are never cached, so a newly created key works at once.
   */
  async authenticate(apiKey: string): Promise<Account | null> {
    const now = Date.now();
    // Asking whether another process wrote costs a query; at most every 100 ms is plenty for a revocation.
    if (now - this.lastExternalCheck >= EXTERNAL_CHECK_MS) {
      this.lastExternalCheck = now;
      const writes = await this.changes.version();
      if (writes !== this.lastExternalWrites) {
        this.authCache.clear();
        this.lastExternalWrites = writes;
      }
    }
    const hash = sha256Hex(apiKey);
    const hit = this.authCache.get(hash);
    if (hit && hit.until > now) return hit.account;
    const [row] = await this.lookupKey(hash);
    if (!row) return null;
    if (this.authCache.size > 10_000) this.authCache.clear();
    this.authCache.set(hash, { account: row, until: now + AUTH_CACHE_MS });
    return row;
  }

  async get(accountId: string): Promise<Account | null> {
    return (await this.db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst()) ?? null;
  }

  async require(accountId: string): Promise<Account> {
    const account = await this.get(accountId);
    if (!account) throw new Error(`unknown account: ${accountId}`);
    return account;
  }

  async list(): Promise<Array<Account & { active_keys: number }>> {
    const rows = await this.db
      .selectFrom('accounts')
      .leftJoin('api_keys', (j) =>
        j.onRef('api_keys.account_id', '=', 'accounts.id').on('api_keys.revoked_at', 'is', null),
      )
      .selectAll('accounts')
      .select((eb) => eb.fn.count<number>('api_keys.id').as('active_keys'))
      .groupBy('accounts.id')
      .orderBy('accounts.created_at')
      .execute();
    return rows.map((r) => ({ ...r, active_keys: Number(r.active_keys) }));
  }

  async update(
    accountId: string,
    patch: {
      logoBlobKey?: string | null;
      rateLimitPerMin?: number | null;
      retentionDays?: number;
      engine?: string | null;
      engineChecks?: string | null;
    },
  ): Promise<void> {
    const res = await this.db
      .updateTable('accounts')
      .set({
        ...(patch.logoBlobKey !== undefined ? { logo_blob_key: patch.logoBlobKey } : {}),
        ...(patch.rateLimitPerMin !== undefined ? { rate_limit_per_min: patch.rateLimitPerMin } : {}),
        ...(patch.retentionDays !== undefined ? { retention_days: patch.retentionDays } : {}),
        ...(patch.engine !== undefined ? { engine: patch.engine } : {}),
        ...(patch.engineChecks !== undefined ? { engine_checks: patch.engineChecks } : {}),
        updated_at: this.clock.now().toISOString(),
      })
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new Error(`unknown account: ${accountId}`);
    this.invalidateAuth();
    await this.changes.announce();
  }
}

/** Accounts and API keys: creation, listing, key issue/revocation, and authentication by key hash. */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database.js';
import { prepare } from '../db/prepared.js';
import type { Account, ApiKeyRow } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { newApiKey, newId, sha256Hex } from '../ids.js';
import { type MaybePromise, then } from '../maybe-async.js';
import type { AuthChanges } from '../ports/auth-changes.js';
import type { Clock } from '../ports/clock.js';
import type { CreditsService } from './credits.service.js';
import { ExternalWrites } from './external-writes.js';
import { matches, newestFirstPage, type Page } from './pagination.js';

export interface CreatedAccount {
  id: string;
  name: string;
  creditBalance: number;
  keyId: string;
  apiKey: string;
}

/** What the admin API may set when it creates an account (the CLI's `accounts create` sets the first three). */
export interface NewAccount {
  name: string;
  credits?: number;
  rateLimitPerMin?: number | null;
  retentionDays?: number;
  engine?: string | null;
}

/** How long an authenticated key is trusted without asking the database again (see `authenticate`). */
const AUTH_CACHE_MS = 5_000;
/** A key's `last_used_at` is written at most this often: the time of use is known to the minute. */
const KEY_USE_RESOLUTION_MS = 60_000;

export class AccountsService {
  private readonly authCache = new Map<string, { account: Account; keyId: string; until: number }>();
  private readonly lookupKey;
  /** When this process last wrote each key's `last_used_at` (epoch ms of the clock). */
  private readonly keyUseWritten = new Map<string, number>();
  /** The `last_used_at` writes in flight (see `settled`). */
  private keyUseWrites: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly credits: CreditsService,
    /** Other processes' changes to keys and accounts (the CLI, other replicas): the cache is dropped on each. */
    private readonly changes: AuthChanges = { version: async () => 0, announce: async () => {}, close: async () => {} },
    /** The check for other processes' commits, shared with the other caches of the process (deps.ts). */
    private readonly external = new ExternalWrites(changes, false),
  ) {
    external.onChange(() => this.authCache.clear());
    this.lookupKey = prepare(
      db,
      (hash: string) =>
        db
          .selectFrom('api_keys')
          .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
          .selectAll('accounts')
          .select('api_keys.id as api_key_id')
          .where('api_keys.key_hash', '=', hash)
          .where('api_keys.revoked_at', 'is', null)
          .where('accounts.disabled_at', 'is', null),
      ['$hash'],
    );
  }

  /** Forgets cached authentications (after a key is revoked or an account changes). */
  invalidateAuth(): void {
    this.authCache.clear();
  }

  /** A new account with its first API key (the CLI's `accounts create`, the demo account). */
  async create(input: NewAccount): Promise<CreatedAccount> {
    const { account, key } = await this.db.transaction().execute(async (tx) => {
      const account = await this.insertAccount(tx, input);
      return { account, key: await this.issueKey(tx, account.id) };
    });
    return {
      id: account.id,
      name: input.name,
      creditBalance: account.credit_balance,
      keyId: key.id,
      apiKey: key.apiKey,
    };
  }

  /** A new account without a key (the admin API issues keys apart, each shown once). */
  async createAccount(input: NewAccount): Promise<Account> {
    return this.db.transaction().execute((tx) => this.insertAccount(tx, input));
  }

  private async insertAccount(tx: Tx, input: NewAccount): Promise<Account> {
    const now = this.clock.now().toISOString();
    const id = newId('acc');
    await tx
      .insertInto('accounts')
      .values({
        id,
        name: input.name,
        credit_balance: 0,
        rate_limit_per_min: input.rateLimitPerMin ?? null,
        retention_days: input.retentionDays ?? 7,
        logo_blob_key: null,
        engine: input.engine ?? null,
        engine_checks: null,
        disabled_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    if (input.credits) await this.credits.grant(tx, id, input.credits, 'grant', 'initial credits');
    return tx.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  async issueKey(
    db: Pick<Db, 'insertInto'>,
    accountId: string,
    label: string | null = null,
  ): Promise<{ id: string; apiKey: string; row: ApiKeyRow }> {
    const apiKey = newApiKey();
    const row: ApiKeyRow = {
      id: newId('key'),
      account_id: accountId,
      key_hash: sha256Hex(apiKey),
      key_prefix: apiKey.slice(0, 7),
      label,
      created_at: this.clock.now().toISOString(),
      revoked_at: null,
      last_used_at: null,
    };
    await db.insertInto('api_keys').values(row).execute();
    return { id: row.id, apiKey, row };
  }

  async createKey(
    accountId: string,
    label: string | null = null,
  ): Promise<{ id: string; apiKey: string; row: ApiKeyRow }> {
    await this.require(accountId);
    return this.issueKey(this.db, accountId, label);
  }

  /** An account's keys, newest first (revoked ones included). */
  async keysOf(accountId: string, limit: number, cursor?: string): Promise<Page<ApiKeyRow>> {
    const q = this.db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId);
    return newestFirstPage(q, 'api_keys', { limit, cursor });
  }

  /**
   * Revokes one of the account's keys and returns it; a key already revoked is returned as it is. API_KEY_NOT_FOUND
   * for a key of another account, so one account's key ids cannot be probed through another's.
   */
  async revokeKeyOf(accountId: string, keyId: string): Promise<ApiKeyRow> {
    const key = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', keyId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (!key) throw new ApiError('API_KEY_NOT_FOUND', `API key '${keyId}' not found on account '${accountId}'.`);
    if (key.revoked_at === null) await this.revokeKey(keyId);
    return this.db.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirstOrThrow();
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
   * process (the CLI revoking a key while the server runs, another replica) is noticed through `changes` within 100 ms
   * (external-writes.ts). Failures are never cached, so a newly created key works at once.
   */
  authenticate(apiKey: string): MaybePromise<Account | null> {
    const now = Date.now();
    // Asking whether another process wrote costs a query; at most every 100 ms is plenty for a revocation.
    const checked = this.external.check(now);
    if (checked) return checked.then(() => this.authenticateNow(apiKey, now));
    return this.authenticateNow(apiKey, now);
  }

  /** `authenticate` past the check for other processes' changes: at once on a cache hit or a synchronous read. */
  private authenticateNow(apiKey: string, now: number): MaybePromise<Account | null> {
    const hash = sha256Hex(apiKey);
    const hit = this.authCache.get(hash);
    if (hit && hit.until > now) {
      this.noteKeyUse(hit.keyId);
      return hit.account;
    }
    return then(this.lookupKey(hash), ([row]) => {
      if (!row) return null;
      const { api_key_id: keyId, ...account } = row;
      if (this.authCache.size > 10_000) this.authCache.clear();
      this.authCache.set(hash, { account, keyId, until: now + AUTH_CACHE_MS });
      this.noteKeyUse(keyId);
      return account;
    });
  }

  /**
   * Records that a key authenticated a request, to the minute: one map lookup per request, and at most one UPDATE per
   * key and minute, which the request does not wait for (its failure costs a late `lastUsedAt`, never the request).
   * The UPDATE's condition keeps several processes from each writing the same minute.
   */
  private noteKeyUse(keyId: string): void {
    const now = this.clock.now().getTime();
    const last = this.keyUseWritten.get(keyId);
    if (last !== undefined && now - last < KEY_USE_RESOLUTION_MS) return;
    if (this.keyUseWritten.size > 10_000) this.keyUseWritten.clear();
    this.keyUseWritten.set(keyId, now);
    const write = this.db
      .updateTable('api_keys')
      .set({ last_used_at: new Date(now).toISOString() })
      .where('id', '=', keyId)
      .where((eb) =>
        eb.or([
          eb('last_used_at', 'is', null),
          eb('last_used_at', '<=', new Date(now - KEY_USE_RESOLUTION_MS).toISOString()),
        ]),
      )
      .execute()
      .then(
        () => undefined,
        () => undefined,
      );
    this.keyUseWrites = Promise.all([this.keyUseWrites, write]).then(() => undefined);
  }

  /** Resolves once the `last_used_at` writes begun so far are done (tests, and closing). */
  settled(): Promise<void> {
    return this.keyUseWrites;
  }

  async get(accountId: string): Promise<Account | null> {
    return (await this.db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst()) ?? null;
  }

  async require(accountId: string): Promise<Account> {
    const account = await this.get(accountId);
    if (!account) throw new Error(`unknown account: ${accountId}`);
    return account;
  }

  /** The account, or ACCOUNT_NOT_FOUND (the admin API's 404). */
  async found(accountId: string): Promise<Account> {
    const account = await this.get(accountId);
    if (!account) throw new ApiError('ACCOUNT_NOT_FOUND', `Account '${accountId}' not found.`);
    return account;
  }

  /** Accounts newest first; `search` matches a substring of the name or the id, ignoring case. */
  async page(query: { search?: string; limit: number; cursor?: string }): Promise<Page<Account>> {
    let q = this.db.selectFrom('accounts').selectAll();
    const search = query.search;
    if (search) q = q.where((eb) => eb.or([matches('accounts.name', search), matches('accounts.id', search)]));
    return newestFirstPage(q, 'accounts', query);
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
      name?: string;
      /** true disables the account (its keys stop working at once); false enables it again. */
      disabled?: boolean;
      logoBlobKey?: string | null;
      rateLimitPerMin?: number | null;
      retentionDays?: number;
      engine?: string | null;
      engineChecks?: string | null;
      /** `on` | `off`; null: the deployment's IDENTITY_PASS. */
      identityPass?: string | null;
      /** Products one try-on may dress (an outfit); 1: Genlook's single product. */
      maxOutfitItems?: number;
    },
  ): Promise<void> {
    const now = this.clock.now().toISOString();
    const res = await this.db
      .updateTable('accounts')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        // Disabling a disabled account keeps the time it was first disabled.
        ...(patch.disabled !== undefined
          ? { disabled_at: patch.disabled ? sql<string>`coalesce(disabled_at, ${now})` : null }
          : {}),
        ...(patch.logoBlobKey !== undefined ? { logo_blob_key: patch.logoBlobKey } : {}),
        ...(patch.rateLimitPerMin !== undefined ? { rate_limit_per_min: patch.rateLimitPerMin } : {}),
        ...(patch.retentionDays !== undefined ? { retention_days: patch.retentionDays } : {}),
        ...(patch.engine !== undefined ? { engine: patch.engine } : {}),
        ...(patch.engineChecks !== undefined ? { engine_checks: patch.engineChecks } : {}),
        ...(patch.identityPass !== undefined ? { identity_pass: patch.identityPass } : {}),
        ...(patch.maxOutfitItems !== undefined ? { max_outfit_items: patch.maxOutfitItems } : {}),
        updated_at: now,
      })
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new Error(`unknown account: ${accountId}`);
    this.invalidateAuth();
    await this.changes.announce();
  }
}

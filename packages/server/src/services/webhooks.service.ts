/**
 * Webhooks (docs/webhooks.md): an account's endpoint and signing secret, the event recorded when a generation reaches
 * a terminal state, its delivery attempts, the delivery log and redelivery.
 *
 * A delivery is recorded in the same transaction as the generation's terminal transition, with its first job on a
 * database queue (on BullMQ the job follows the commit, and `requeueDue` catches what a crash between the two left
 * without one), so no event is lost across a restart. Delivery is at-least-once: receivers de-duplicate on the
 * event's id, which stays the same across attempts and redeliveries.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Config } from '../config.js';
import type { Db, Tx } from '../db/database.js';
import type { WebhookDeliveryRow } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { enqueueWebhook, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_TIMEOUT_MS, webhookRetryDelayMs } from '../jobs/webhook.job.js';
import { isPrivateAddress } from '../net/safe-fetch.js';
import { addDays, addMs, type Clock, iso } from '../ports/clock.js';
import type { JobQueue } from '../ports/job-queue.js';
import { newestFirstPage, type Page } from './pagination.js';

/** The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'fitroom-signature';
export const EVENT_ID_HEADER = 'fitroom-event-id';
export const EVENT_TYPE_HEADER = 'fitroom-event-type';
export const MAX_WEBHOOK_URL_LENGTH = 2048;
/** How early a worker may take an attempt (machines' clocks differ a little; see `beginAttempt`). */
const DUE_SLACK_MS = 2_000;
/** How long the log keeps a delivery after it ended (delivered or failed); `prune` removes older ones. */
export const WEBHOOK_LOG_DAYS = 30;

export type WebhookEventType = 'generation.completed' | 'generation.failed';

/** The terminal transition a generation just made, as the generations service knows it inside its transaction. */
export interface TerminalTransition {
  generationId: string;
  accountId: string;
  status: 'COMPLETED' | 'FAILED';
  /** The request's own webhookUrl, if it gave one. */
  requestUrl: string | null;
  at: string;
}

/** A new signing secret: `whsec_` and 256 random bits. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/** The `fitroom-signature` value for `body` sent at `timestampS` (unix seconds). */
export function signWebhook(secret: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex');
  return `t=${timestampS},v1=${mac}`;
}

/**
 * Why `raw` cannot be a webhook URL, or null when it can. Checked when it is given (request, CLI): http(s) only, no
 * credentials, a host, and, unless private addresses are allowed, no private or loopback IP literal. Host names are
 * checked when they are resolved, at each delivery (net/safe-fetch.ts), since what they resolve to can change.
 */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | null {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username || url.password) return 'must not hold credentials';
  if (!url.hostname) return 'must name a host';
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(literal) && isPrivateAddress(literal)) {
    return 'is a private or loopback address (refused unless the server sets ALLOW_PRIVATE_FETCH)';
  }
  return null;
}

export interface TakenAttempt {
  delivery: WebhookDeliveryRow;
  /** 1 on the first attempt. */
  attempt: number;
  /** The account's signing secret; null if it has none (the attempt then fails). */
  secret: string | null;
}

export interface AttemptOutcome {
  /** The receiver's status, or null when no answer came. */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** No point retrying (a refused address, a malformed URL). */
  permanent: boolean;
}

export interface DeliveryView {
  deliveryId: string;
  eventId: string;
  type: string;
  generationId: string;
  accountId: string;
  url: string;
  status: WebhookDeliveryRow['status'];
  attempts: Array<{ attempt: number; statusCode: number | null; error: string | null; durationMs: number; at: string }>;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export class WebhooksService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly queue: JobQueue,
    private readonly config: Pick<Config, 'allowPrivateFetch'>,
  ) {}

  // ---- the account's endpoint and secret (CLI) -------------------------------------------------------------------

  /**
   * Sets (or with null clears) the account's endpoint. Setting one on an account without a signing secret creates
   * the secret, returned here once; an existing secret is kept (rotate it with `rotateSecret`).
   */
  async setEndpoint(accountId: string, url: string | null): Promise<{ webhookUrl: string | null; secret?: string }> {
    if (url !== null) {
      const problem = webhookUrlProblem(url, this.config.allowPrivateFetch);
      if (problem) throw new ApiError('VALIDATION_FAILED', `The webhook URL ${problem}.`);
    }
    return this.db.transaction().execute(async (tx) => {
      const account = await tx
        .selectFrom('accounts')
        .select(['id', 'webhook_secret'])
        .where('id', '=', accountId)
        .executeTakeFirst();
      if (!account) throw new Error(`unknown account: ${accountId}`);
      const secret = url !== null && !account.webhook_secret ? newWebhookSecret() : null;
      await tx
        .updateTable('accounts')
        .set({
          webhook_url: url,
          ...(secret ? { webhook_secret: secret } : {}),
          updated_at: iso(this.clock.now()),
        })
        .where('id', '=', accountId)
        .execute();
      return { webhookUrl: url, ...(secret ? { secret } : {}) };
    });
  }

  /** A new signing secret for the account, returned once; every delivery from now on is signed with it. */
  async rotateSecret(accountId: string): Promise<string> {
    const secret = newWebhookSecret();
    const res = await this.db
      .updateTable('accounts')
      .set({ webhook_secret: secret, updated_at: iso(this.clock.now()) })
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new Error(`unknown account: ${accountId}`);
    return secret;
  }

  /** A request's `webhookUrl`: VALIDATION_FAILED (before anything is charged or stored) when it cannot be used. */
  async checkRequestUrl(accountId: string, url: string): Promise<void> {
    const problem = webhookUrlProblem(url, this.config.allowPrivateFetch);
    if (problem) {
      throw new ApiError('VALIDATION_FAILED', `webhookUrl ${problem}.`, [{ path: 'webhookUrl', message: problem }]);
    }
    const account = await this.db
      .selectFrom('accounts')
      .select('webhook_secret')
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!account?.webhook_secret) {
      const message = 'this account has no webhook signing secret yet (the operator creates one: docs/webhooks.md)';
      throw new ApiError('VALIDATION_FAILED', `webhookUrl cannot be used: ${message}.`, [
        { path: 'webhookUrl', message },
      ]);
    }
  }

  // ---- events ----------------------------------------------------------------------------------------------------

  /**
   * Inside the transaction that made the generation terminal: records the event's delivery (to the request's URL, or
   * else the account's endpoint) and, on a database queue, its first job. Returns the delivery's id for
   * `afterCommit`, or null when the generation has nowhere to send it.
   */
  async recordTerminal(tx: Tx, t: TerminalTransition): Promise<string | null> {
    let url = t.requestUrl;
    if (!url) {
      const account = await tx
        .selectFrom('accounts')
        .select('webhook_url')
        .where('id', '=', t.accountId)
        .executeTakeFirst();
      url = account?.webhook_url ?? null;
    }
    if (!url) return null;
    const type: WebhookEventType = t.status === 'COMPLETED' ? 'generation.completed' : 'generation.failed';
    return this.insertDelivery(tx, {
      eventId: newId('evt'),
      type,
      accountId: t.accountId,
      generationId: t.generationId,
      url,
      eventCreatedAt: t.at,
    });
  }

  /** After the transaction of `recordTerminal` or `redeliver` committed: the job, on a queue outside the database. */
  async afterCommit(deliveryId: string): Promise<void> {
    // If this fails the delivery is still recorded: `requeueDue` enqueues it within a minute.
    await enqueueWebhook(this.queue, { deliveryId }, { afterCommit: true, key: `${deliveryId}_0` }).catch(
      () => undefined,
    );
  }

  private async insertDelivery(
    tx: Tx,
    d: {
      eventId: string;
      type: string;
      accountId: string;
      generationId: string;
      url: string;
      eventCreatedAt: string;
    },
  ): Promise<string> {
    const now = iso(this.clock.now());
    const id = newId('whd');
    await tx
      .insertInto('webhook_deliveries')
      .values({
        id,
        event_id: d.eventId,
        event_type: d.type,
        account_id: d.accountId,
        generation_id: d.generationId,
        url: d.url,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        last_status_code: null,
        last_error: null,
        event_created_at: d.eventCreatedAt,
        created_at: now,
        updated_at: now,
        delivered_at: null,
      })
      .execute();
    await enqueueWebhook(this.queue, { deliveryId: id }, { tx });
    return id;
  }

  // ---- attempts (the webhook worker) -----------------------------------------------------------------------------

  /**
   * Takes the delivery's next attempt, or null when there is none to make now (delivered, failed, not due: a repeated
   * or early job). The row moves first, conditionally on the state that was read, so two jobs never make the same
   * attempt; its `next_attempt_at` is set as if this attempt will fail, and the job that will look at it then is
   * enqueued in the same transaction, so a worker dying mid-attempt leaves the retry scheduled.
   */
  async beginAttempt(deliveryId: string): Promise<TakenAttempt | null> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', deliveryId)
      .executeTakeFirst();
    const now = this.clock.now();
    // Due within DUE_SLACK_MS counts as due: the job's delay ran on the clock of the machine that enqueued it, and a
    // worker whose clock is a little behind would otherwise drop the job and leave the attempt to the minute's sweep.
    if (row?.status !== 'pending' || row.next_attempt_at > iso(addMs(now, DUE_SLACK_MS))) return null;
    if (row.attempts >= WEBHOOK_MAX_ATTEMPTS) {
      // The last attempt began and never reported (its worker died): that was the last chance.
      await this.db
        .updateTable('webhook_deliveries')
        .set({ status: 'failed', last_error: 'the last attempt did not finish', updated_at: iso(now) })
        .where('id', '=', deliveryId)
        .where('status', '=', 'pending')
        .execute();
      return null;
    }
    const attempt = row.attempts + 1;
    // After the last attempt, only a look at whether it reported.
    const waitMs = WEBHOOK_TIMEOUT_MS + (attempt < WEBHOOK_MAX_ATTEMPTS ? webhookRetryDelayMs(attempt) : 0);
    const nextAt = iso(addMs(now, waitMs));
    const taken = await this.db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable('webhook_deliveries')
        .set({ attempts: attempt, next_attempt_at: nextAt, updated_at: iso(now) })
        .where('id', '=', deliveryId)
        .where('status', '=', 'pending')
        .where('attempts', '=', row.attempts)
        .where('next_attempt_at', '=', row.next_attempt_at)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await enqueueWebhook(this.queue, { deliveryId }, { tx, delayMs: waitMs });
      return true;
    });
    if (!taken) return null;
    await enqueueWebhook(
      this.queue,
      { deliveryId },
      { afterCommit: true, delayMs: waitMs, key: `${deliveryId}_${attempt}` },
    ).catch(() => undefined);
    const account = await this.db
      .selectFrom('accounts')
      .select('webhook_secret')
      .where('id', '=', row.account_id)
      .executeTakeFirst();
    return {
      delivery: { ...row, attempts: attempt, next_attempt_at: nextAt },
      attempt,
      secret: account?.webhook_secret ?? null,
    };
  }

  /** Logs the attempt and moves the delivery on: delivered on a 2xx, failed when out of attempts or pointless. */
  async finishAttempt(taken: TakenAttempt, outcome: AttemptOutcome): Promise<WebhookDeliveryRow['status']> {
    const now = iso(this.clock.now());
    const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const last = outcome.permanent || taken.attempt >= WEBHOOK_MAX_ATTEMPTS;
    const status = ok ? 'delivered' : last ? 'failed' : 'pending';
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('webhook_attempts')
        .values({
          id: newId('wha'),
          delivery_id: taken.delivery.id,
          attempt: taken.attempt,
          status_code: outcome.statusCode,
          error: outcome.error?.slice(0, 500) ?? null,
          duration_ms: Math.round(outcome.durationMs),
          created_at: now,
        })
        .execute();
      let update = tx
        .updateTable('webhook_deliveries')
        .set({
          status,
          last_status_code: outcome.statusCode,
          last_error: outcome.error?.slice(0, 500) ?? null,
          updated_at: now,
          ...(ok ? { delivered_at: now } : {}),
        })
        .where('id', '=', taken.delivery.id)
        .where('status', '=', 'pending');
      // A later attempt (this one stalled past its slot) has the last word on a failure; a success always counts.
      if (!ok) update = update.where('attempts', '=', taken.attempt);
      await update.execute();
    });
    return status;
  }

  /**
   * The reconciler: a job for every pending delivery due for longer than `olderThanMs`, whose job was lost (on BullMQ
   * a crash between commit and enqueue, or Redis away; on a database queue a job buried after its worker's database
   * calls failed twice). On BullMQ keyed by the delivery and its attempt count, so repeated sweeps add one job per
   * attempt at most; the database queue ignores keys. Either way an extra job is a no-op (`beginAttempt`).
   */
  async requeueDue(olderThanMs = 60_000): Promise<number> {
    const cutoff = iso(addMs(this.clock.now(), -olderThanMs));
    const due = await this.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'attempts'])
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', cutoff)
      .orderBy('next_attempt_at')
      .limit(500)
      .execute();
    for (const d of due) {
      await enqueueWebhook(
        this.queue,
        { deliveryId: d.id },
        { afterCommit: this.queue.outsideTransactions ?? false, key: `due_${d.id}_${d.attempts}` },
      );
    }
    return due.length;
  }

  /**
   * Keeps the delivery log bounded: deliveries that ended (delivered or failed) more than `WEBHOOK_LOG_DAYS` ago go,
   * with their attempts. Pending ones stay, whatever their age. Run by the minute's sweep, `batch` rows at a time.
   */
  async prune(batch = 500): Promise<number> {
    const cutoff = iso(addDays(this.clock.now(), -WEBHOOK_LOG_DAYS));
    const old = await this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', 'in', ['delivered', 'failed'])
      .where('updated_at', '<', cutoff)
      .limit(batch)
      .execute();
    if (old.length === 0) return 0;
    const ids = old.map((d) => d.id);
    await this.db.transaction().execute(async (tx) => {
      // The attempts explicitly, not left to the foreign key's cascade, which SQLite applies only with its pragma on.
      await tx.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
      await tx.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute();
    });
    return ids.length;
  }

  // ---- the log and redelivery (CLI) -------------------------------------------------------------------------------

  /** Deliveries, newest first, with their attempts. */
  async list(filter: { accountId?: string; eventId?: string; limit?: number } = {}): Promise<DeliveryView[]> {
    let query = this.db.selectFrom('webhook_deliveries').selectAll();
    if (filter.accountId) query = query.where('account_id', '=', filter.accountId);
    if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 20)
      .execute();
    return this.views(rows);
  }

  /** One page of an account's deliveries, newest first (the admin API; cursors as in services/pagination.ts). */
  async page(accountId: string, limit: number, cursor?: string): Promise<Page<DeliveryView>> {
    const query = this.db.selectFrom('webhook_deliveries').selectAll().where('account_id', '=', accountId);
    const page = await newestFirstPage(query, 'webhook_deliveries', { limit, cursor });
    return { data: await this.views(page.data), nextCursor: page.nextCursor };
  }

  /** The account's endpoint, and whether it has a signing secret (never the secret itself). */
  async endpointOf(accountId: string): Promise<{ webhookUrl: string | null; hasSecret: boolean } | null> {
    const row = await this.db
      .selectFrom('accounts')
      .select(['webhook_url', 'webhook_secret'])
      .where('id', '=', accountId)
      .executeTakeFirst();
    return row ? { webhookUrl: row.webhook_url, hasSecret: row.webhook_secret !== null } : null;
  }

  private async views(rows: WebhookDeliveryRow[]): Promise<DeliveryView[]> {
    if (rows.length === 0) return [];
    const attempts = await this.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where(
        'delivery_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('attempt')
      .execute();
    return rows.map((r) => ({
      deliveryId: r.id,
      eventId: r.event_id,
      type: r.event_type,
      generationId: r.generation_id,
      accountId: r.account_id,
      url: r.url,
      status: r.status,
      attempts: attempts
        .filter((a) => a.delivery_id === r.id)
        .map((a) => ({
          attempt: a.attempt,
          statusCode: a.status_code,
          error: a.error,
          durationMs: a.duration_ms,
          at: a.created_at,
        })),
      nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
    }));
  }

  /**
   * Sends an event again, as a new delivery with the same event id (receivers that processed it skip it) and a fresh
   * set of attempts, to where the generation's events go now: the request's URL, else the account's current endpoint
   * (so fixing the endpoint and redelivering works).
   */
  async redeliver(eventId: string, accountId?: string): Promise<{ deliveryId: string; eventId: string; url: string }> {
    const all = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('event_id', '=', eventId)
      .orderBy('created_at')
      .execute();
    const original = all[0];
    // Another account's event answers as an unknown one: the admin API's account routes cannot probe other accounts.
    if (!original || (accountId !== undefined && original.account_id !== accountId)) {
      throw new ApiError('VALIDATION_FAILED', `No webhook event '${eventId}'.`, [
        { path: 'eventId', message: 'No such webhook event' },
      ]);
    }
    // One delivery of an event in flight at a time: repeated clicks do not send it several times at once.
    if (all.some((d) => d.status === 'pending')) {
      throw new ApiError(
        'VALIDATION_FAILED',
        `Event '${eventId}' is still being delivered; redeliver it once it ends.`,
        [{ path: 'eventId', message: 'A delivery of this event is still pending' }],
      );
    }
    const target = await this.db
      .selectFrom('generations')
      .innerJoin('accounts', 'accounts.id', 'generations.account_id')
      .select(['generations.webhook_url as request_url', 'accounts.webhook_url as account_url'])
      .where('generations.id', '=', original.generation_id)
      .executeTakeFirst();
    const url = target ? (target.request_url ?? target.account_url) : null;
    if (!url) {
      throw new ApiError(
        'VALIDATION_FAILED',
        `Event '${eventId}' has nowhere to go: its generation is gone or its account has no webhook URL.`,
      );
    }
    const deliveryId = await this.db.transaction().execute((tx) =>
      this.insertDelivery(tx, {
        eventId,
        type: original.event_type,
        accountId: original.account_id,
        generationId: original.generation_id,
        url,
        eventCreatedAt: original.event_created_at,
      }),
    );
    await this.afterCommit(deliveryId);
    return { deliveryId, eventId, url };
  }
}

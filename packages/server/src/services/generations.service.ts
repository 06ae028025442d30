/**
 * Generations: accepting a try-on (validation, person image, product mode, the credit debit and the job, all in one
 * transaction), reading it back, and the conditional state transitions the workers use.
 *
 * Every transition is a conditional UPDATE on the current status, so a job delivered twice (a worker died after
 * finishing, a lease expired) can never complete a generation twice, fail a completed one, or refund twice.
 */

import { categoryFromWords, planOutfit } from '@fitroom/engine';
import type { Config } from '../config.js';
import type { Db, Tx } from '../db/database.js';
import { prepare } from '../db/prepared.js';
import type { Account, GenerationRow, ImageRow } from '../db/schema.js';
import { retryOnceIfRaced } from '../db/unique-race.js';
import { ApiError, fileKeyNotFound } from '../errors.js';
import type { UploadedFile } from '../http/multipart.js';
import { newId, sha256Hex } from '../ids.js';
import { enqueueTryOn, enqueueTryOnAfterCommit } from '../jobs/try-on.job.js';
import { type MaybePromise, then } from '../maybe-async.js';
import type { BlobStore } from '../ports/blob-store.js';
import { addDays, type Clock } from '../ports/clock.js';
import type { GenerationEvents } from '../ports/generation-events.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { CreditsService } from './credits.service.js';
import { engineForTryOn } from './engine-choice.js';
import type { ExternalWrites } from './external-writes.js';
import type { ImagesService } from './images.service.js';
import { PolledGenerations } from './polled-generations.js';
import { PRODUCT_EXTERNAL_ID_UNIQUE, type PreparedImage, type ProductsService } from './products.service.js';
import { parseTryOn, type TryOnRequest } from './try-on-input.js';
import type { TerminalTransition, WebhooksService } from './webhooks.service.js';

/** How long an idempotency key is remembered. */
export const IDEMPOTENCY_TTL_DAYS = 1;

/** A digest of the request: the JSON body (key order normalised) and every file part's bytes. */
function hashRequest(body: unknown, files: Map<string, UploadedFile>): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  const parts = [...files.keys()].sort().map((k) => `${k}:${sha256Hex(files.get(k)!.data)}`);
  return sha256Hex(JSON.stringify([canonical(body), parts]));
}
/** A product titled exactly `mock` always runs on the mock engine (spec §8). */
export const MOCK_TITLE = 'mock';

export interface ProductSnapshot {
  externalId: string;
  title: string | null;
  description: string | null;
  images: Array<{
    productImageId: string;
    sourceUrl: string | null;
    blobKey: string | null;
    contentType: string | null;
    contentHash: string | null;
    role: string | null;
  }>;
}

/** One product of an outfit: its snapshot and its place in the request's `products` (fitroom's extension). */
export interface OutfitItemSnapshot extends ProductSnapshot {
  position: number;
}

/** The product ids of an outfit in the request's order, from `generations.outfit_snapshot` (null: one product). */
export function outfitExternalIds(outfitSnapshot: string | null | undefined): string[] | null {
  if (!outfitSnapshot) return null;
  const items = JSON.parse(outfitSnapshot) as OutfitItemSnapshot[];
  return [...items].sort((a, b) => a.position - b.position).map((i) => i.externalId);
}

const POLL_COLUMNS = [
  'id',
  'account_id',
  'status',
  'product_external_id',
  'result_blob_key',
  'error_code',
  'error_message',
  'created_at',
  'updated_at',
  'expires_at',
  // Null but for outfits, whose answers list every product (productExternalIds).
  'outfit_snapshot',
] as const;
export type PollRow = Pick<GenerationRow, (typeof POLL_COLUMNS)[number]>;

export interface ApiGeneration {
  generationId: string;
  status: GenerationRow['status'];
  productExternalId: string;
  /** An outfit's products, in the request's order (fitroom's extension); absent for a single product. */
  productExternalIds?: string[];
  resultImageUrl?: string;
  errorCode?: string;
  errorMessage?: string;
  createdAt: string;
  updatedAt: string;
}

export class GenerationsService {
  private readonly byId;
  private readonly pollById;
  /** The rows polls read, kept (polled-generations.ts); null without `external` and on PostgreSQL. */
  readonly polled: PolledGenerations<PollRow> | null;

  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly config: Readonly<Config>,
    private readonly credits: CreditsService,
    private readonly images: ImagesService,
    private readonly products: ProductsService,
    private readonly queue: JobQueue,
    private readonly events: GenerationEvents,
    /** Records a webhook event with each terminal transition (none: no webhooks, as in some tests). */
    private readonly webhooks?: Pick<WebhooksService, 'recordTerminal' | 'afterCommit' | 'checkRequestUrl'>,
    /** Other processes' commits (shared with the authentication cache); none: polls always read the database. */
    private readonly external?: ExternalWrites,
  ) {
    this.byId = prepare(db, (id: string) => db.selectFrom('generations').selectAll().where('id', '=', id), ['$id']);
    // What a poll needs, without the product snapshot and other large columns: the hot path of every client.
    this.pollById = prepare(
      db,
      (id: string) => db.selectFrom('generations').select(POLL_COLUMNS).where('id', '=', id),
      ['$id'],
    );
    this.polled = external ? PolledGenerations.on<PollRow>(db, external) : null;
  }

  // ---- submit --------------------------------------------------------------------------------------------------

  /**
   * Accepts a try-on. With an idempotency key, a repeat of the same request (a client retrying after a timeout)
   * returns the generation of the first one instead of creating and charging a second; the key is recorded in the
   * same transaction as the generation, so two concurrent requests with one key cannot both succeed.
   */
  async submit(account: Account, body: unknown, files: Map<string, UploadedFile>, idempotencyKey?: string) {
    // An account allowed outfits takes up to max_outfit_items products; every other one gets Genlook's answer.
    const request = parseTryOn(body, account.max_outfit_items);
    const cost = request.products.length;
    if (request.webhookUrl !== null) {
      if (!this.webhooks) throw new ApiError('VALIDATION_FAILED', 'webhookUrl is not supported by this server.');
      await this.webhooks.checkRequestUrl(account.id, request.webhookUrl);
    }
    const requestHash = idempotencyKey ? hashRequest(body, files) : '';
    if (idempotencyKey) {
      const replay = await this.replay(account.id, idempotencyKey, requestHash);
      if (replay) return replay;
    }
    // A cheap early look at the balance spares an empty account the downloads and the crop; the authoritative check
    // is the conditional debit inside the transaction below.
    if ((await this.credits.balance(account.id)) < cost) throw new ApiError('INSUFFICIENT_CREDITS');

    const created: { personImage: ImageRow | null; productBlobs: string[] } = { personImage: null, productBlobs: [] };
    try {
      const personImage = await this.preparePerson(account, request, files);
      created.personImage = personImage.fresh;
      // The stored product's images are read here only to reuse its stored copies of the same URLs; a reference
      // try-on (no images) has nothing to reuse, and resolveForTryOn reads the product inside the transaction.
      const prepared: Array<PreparedImage[] | undefined> = [];
      for (const input of request.products) {
        let ready: PreparedImage[] | undefined;
        if (input.images) {
          const existing = input.externalId ? await this.products.find(this.db, account.id, input.externalId) : null;
          ready = await this.products.prepareImages(account.id, input.images, files, {
            downloadUrls: false,
            reuse: existing?.images,
          });
          created.productBlobs.push(...this.products.newBlobs(ready, existing?.images));
        }
        prepared.push(ready);
      }

      // Two inline upserts of one new product can both insert it on PostgreSQL: the loser runs again as an update.
      const { generation, replacedBlobs } = await retryOnceIfRaced(PRODUCT_EXTERNAL_ID_UNIQUE, () =>
        this.db.transaction().execute(async (tx) => {
          const snapshots: ProductSnapshot[] = [];
          const replacedBlobs: string[] = [];
          let first: { id: string; externalId: string } | null = null;
          for (const [i, input] of request.products.entries()) {
            const resolved = await this.products.resolveForTryOn(tx, account.id, input, prepared[i]);
            replacedBlobs.push(...resolved.replacedBlobs);
            const product = await this.products.touch(tx, resolved.saved.product);
            first ??= { id: product.id, externalId: product.external_id };
            snapshots.push({
              externalId: product.external_id,
              title: product.title,
              description: product.description,
              images: resolved.saved.images.map((im) => ({
                productImageId: im.id,
                sourceUrl: im.source_url,
                blobKey: im.blob_key,
                contentType: im.content_type,
                contentHash: im.content_hash,
                role: im.role,
              })),
            });
          }
          // Checked here, once the referenced products' titles are read: the words decide what can be layered.
          if (snapshots.length > 1) refuseMockMix(snapshots);
          const outfit = snapshots.length > 1 ? planOutfitOrRefuse(snapshots) : null;
          let person = personImage.existing;
          if (personImage.fresh) {
            await tx.insertInto('images').values(personImage.fresh).execute();
            person = personImage.fresh;
          }
          const generation = await this.insertGeneration(tx, account, request, {
            productExternalId: first!.externalId,
            productId: first!.id,
            snapshot: snapshots[0]!,
            outfit,
            person: person!,
          });
          if ((await this.credits.debitForGeneration(tx, account.id, generation.id, cost)) === null) {
            throw new ApiError('INSUFFICIENT_CREDITS');
          }
          await enqueueTryOn(this.queue, { generationId: generation.id }, { tx });
          if (idempotencyKey) {
            await tx
              .insertInto('idempotency_keys')
              .values({
                account_id: account.id,
                key: idempotencyKey,
                request_hash: requestHash,
                generation_id: generation.id,
                created_at: this.clock.now().toISOString(),
              })
              .execute();
          }
          return { generation, replacedBlobs };
        }),
      );
      if (replacedBlobs.length) await this.products.deleteUnreferencedBlobs(replacedBlobs);
      // A queue outside the database (BullMQ) gets the job now that the generation is committed. If that fails the
      // generation is still accepted (and charged): the reconciler enqueues PENDING work that has no job.
      await enqueueTryOnAfterCommit(this.queue, { generationId: generation.id }).catch(() => undefined);
      return acceptedAnswer(generation);
    } catch (err) {
      // Nothing was committed: remove every file this request wrote.
      if (created.personImage) await this.blobs.delete(created.personImage.blob_key);
      await Promise.all(created.productBlobs.map((k) => this.blobs.delete(k)));
      // Lost a race with a concurrent request carrying the same key: answer with the winner's generation.
      if (idempotencyKey) {
        const replay = await this.replay(account.id, idempotencyKey, requestHash);
        if (replay) return replay;
      }
      throw err;
    }
  }

  private async replay(accountId: string, key: string, requestHash: string) {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .innerJoin('generations', 'generations.id', 'idempotency_keys.generation_id')
      .select([
        'idempotency_keys.request_hash',
        'generations.id',
        'generations.status',
        'generations.product_external_id',
        'generations.outfit_snapshot',
      ])
      .where('idempotency_keys.account_id', '=', accountId)
      .where('idempotency_keys.key', '=', key)
      .executeTakeFirst();
    if (!row) return null;
    if (row.request_hash !== requestHash) {
      throw new ApiError('VALIDATION_FAILED', 'This idempotency-key was already used for a different request.', [
        { path: 'idempotency-key', message: 'Reused with a different request' },
      ]);
    }
    return acceptedAnswer(row);
  }

  /** The person photo: an existing upload (by id), or a URL / file part, normalised, person-cropped and stored. */
  private async preparePerson(
    account: Account,
    request: TryOnRequest,
    files: Map<string, UploadedFile>,
  ): Promise<{ existing: ImageRow | null; fresh: ImageRow | null }> {
    const src = request.person;
    if (src.kind === 'id') {
      const existing = await this.images.find(this.db, account.id, src.id);
      if (!existing) {
        throw new ApiError('VALIDATION_FAILED', 'Unknown or expired imageId: upload the photo again.', [
          { path: 'person.image.source.id', message: 'Unknown or expired imageId' },
        ]);
      }
      return { existing, fresh: null };
    }
    let bytes: Uint8Array;
    if (src.kind === 'url') bytes = await this.images.fetchPersonUrl(src.url);
    else {
      const file = files.get(src.fileKey);
      if (!file) throw fileKeyNotFound(src.fileKey);
      bytes = file.data;
    }
    const image = await this.images.normalize(bytes, true);
    // The blob is written now; the row goes into the try-on transaction (see submit).
    const row = await this.images.stage(account.id, image, {
      kind: 'person',
      externalUserId: request.externalUserId,
      keepForDays: request.keepForDays ?? account.retention_days,
    });
    return { existing: null, fresh: row };
  }

  private async insertGeneration(
    tx: Tx,
    account: Account,
    request: TryOnRequest,
    what: {
      productExternalId: string;
      productId: string;
      /** The request's first product. */
      snapshot: ProductSnapshot;
      /** An outfit's products in dressing order; null for one product. */
      outfit: OutfitItemSnapshot[] | null;
      person: ImageRow;
    },
  ): Promise<GenerationRow> {
    const { productExternalId, productId, snapshot, outfit, person } = what;
    // An outfit runs on one engine: the one its first garment dressed would get alone (mixing mock is refused).
    const decisive = outfit?.[0] ?? snapshot;
    const now = this.clock.now();
    const keepForDays = request.keepForDays ?? account.retention_days;
    const row: GenerationRow = {
      id: newId('gen'),
      account_id: account.id,
      status: 'PENDING',
      product_id: productId,
      product_external_id: productExternalId,
      product_snapshot: JSON.stringify(snapshot),
      outfit_snapshot: outfit ? JSON.stringify(outfit) : null,
      person_image_id: person.id,
      person_blob_key: person.blob_key,
      result_blob_key: null,
      external_user_id: request.externalUserId,
      watermark: request.watermark === null ? null : request.watermark ? 1 : 0,
      ai_label: request.aiLabel ? 1 : 0,
      keep_for_days: keepForDays,
      engine: decisive.title === MOCK_TITLE ? 'mock' : engineForTryOn(account, decisive, this.config),
      // Decided when the generation is accepted, like its engine: a retry runs with the same mode.
      engine_checks: account.engine_checks ?? this.config.engineChecks,
      webhook_url: request.webhookUrl,
      error_code: null,
      error_message: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
      completed_at: null,
      expires_at: addDays(now, keepForDays).toISOString(),
    };
    await tx.insertInto('generations').values(row).execute();
    return row;
  }

  // ---- read ----------------------------------------------------------------------------------------------------

  /**
   * 404 for an unknown id, 403 for another account's generation (spec §8). At once when the row could be read at once
   * (embedded SQLite, see maybe-async.ts): then the 404/403 is thrown rather than a rejected promise.
   */
  getOwned(accountId: string, generationId: string): MaybePromise<PollRow> {
    return then(this.polledRow(generationId), (row) => {
      if (!row) throw new ApiError('GENERATION_NOT_FOUND', `Generation '${generationId}' not found.`);
      if (row.account_id !== accountId) throw new ApiError('FORBIDDEN', 'This generation belongs to another account.');
      return row;
    });
  }

  /** The row a poll answers: kept from an earlier poll, or read (and kept). */
  private polledRow(generationId: string): MaybePromise<PollRow | undefined> {
    const polled = this.polled;
    if (!polled) return then(this.pollById(generationId), (rows) => rows[0]);
    // Other processes' commits first (at most every 100 ms; the authentication before it has usually just asked).
    const checked = this.external!.check();
    if (checked) return checked.then(() => this.polledRow(generationId));
    const kept = polled.get(generationId);
    if (kept) return kept;
    const epoch = polled.epoch;
    return then(this.pollById(generationId), ([row]) => {
      if (row) polled.keep(generationId, row, epoch);
      return row;
    });
  }

  async find(generationId: string): Promise<GenerationRow | null> {
    return (await this.byId(generationId))[0] ?? null;
  }

  /** The API's generation object: at once when the result URL is signed at once (local blobs; S3 signs async). */
  toApi(row: PollRow): MaybePromise<ApiGeneration> {
    const ids = outfitExternalIds(row.outfit_snapshot);
    const out: ApiGeneration = {
      generationId: row.id,
      status: row.status,
      productExternalId: row.product_external_id,
      ...(ids ? { productExternalIds: ids } : {}),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
    if (row.status === 'FAILED') {
      if (row.error_code) out.errorCode = row.error_code;
      out.errorMessage = row.error_message ?? 'The generation failed.';
    }
    if (row.status === 'COMPLETED' && row.result_blob_key) {
      const untilExpiry = Math.floor((Date.parse(row.expires_at) - this.clock.now().getTime()) / 1000);
      if (untilExpiry > 0) {
        return then(
          this.blobs.signedUrl(row.result_blob_key, Math.min(this.config.signedUrlTtlS, untilExpiry)),
          (url) => {
            out.resultImageUrl = url;
            return out;
          },
        );
      }
    }
    return out;
  }

  /** Waits (without polling) until the generation is terminal or `timeoutMs` passes; returns its latest poll row. */
  async waitForTerminal(generationId: string, timeoutMs: number, signal?: AbortSignal): Promise<PollRow> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Subscribe before reading, so a completion between the read and the subscription is not missed. At the latest
      // every 5 s the row is read again (a worker in another process may have finished it).
      const round = new AbortController();
      const forward = () => round.abort();
      signal?.addEventListener('abort', forward, { once: true });
      const woken = this.events.waitForTerminal(
        generationId,
        Math.max(0, Math.min(deadline - Date.now(), 5000)),
        round.signal,
      );
      try {
        const epoch = this.polled?.epoch ?? 0;
        const [row] = await this.pollById(generationId);
        // A poll after this answer must not see an older state kept before it.
        this.polled?.refresh(generationId, row, epoch);
        if (!row) throw new ApiError('GENERATION_NOT_FOUND');
        if (row.status === 'COMPLETED' || row.status === 'FAILED' || Date.now() >= deadline || signal?.aborted)
          return row;
        await woken;
      } finally {
        round.abort();
        signal?.removeEventListener('abort', forward);
      }
    }
  }

  // ---- transitions (workers) ------------------------------------------------------------------------------------

  /** PENDING → PROCESSING. False when the generation is already terminal (nothing to do). */
  async markProcessing(generationId: string): Promise<boolean> {
    const res = await this.db
      .updateTable('generations')
      .set({ status: 'PROCESSING', updated_at: this.clock.now().toISOString() })
      .where('id', '=', generationId)
      .where('status', 'in', ['PENDING', 'PROCESSING'])
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** → COMPLETED with the stored result. False when it was already terminal (the caller removes its blob). */
  async complete(generationId: string, resultBlobKey: string): Promise<boolean> {
    const { done, deliveryId } = await this.db.transaction().execute(async (tx) => {
      const now = this.clock.now().toISOString();
      const row = await tx
        .updateTable('generations')
        .set({ status: 'COMPLETED', result_blob_key: resultBlobKey, updated_at: now, completed_at: now })
        .where('id', '=', generationId)
        .where('status', 'in', ['PENDING', 'PROCESSING'])
        .returning(['account_id', 'webhook_url'])
        .executeTakeFirst();
      if (!row) return { done: false, deliveryId: null };
      return { done: true, deliveryId: await this.recordTerminal(tx, generationId, row, 'COMPLETED', now) };
    });
    if (done) this.events.publishTerminal(generationId);
    if (deliveryId) await this.webhooks?.afterCommit(deliveryId);
    return done;
  }

  /** → FAILED and the credit refunded, in one transaction; a no-op when already terminal. */
  async fail(generationId: string, code: string | null, message: string): Promise<boolean> {
    const { done, deliveryId } = await this.db.transaction().execute(async (tx) => {
      const now = this.clock.now().toISOString();
      const row = await tx
        .updateTable('generations')
        .set({ status: 'FAILED', error_code: code, error_message: message, updated_at: now, completed_at: now })
        .where('id', '=', generationId)
        .where('status', 'in', ['PENDING', 'PROCESSING'])
        .returning(['account_id', 'webhook_url'])
        .executeTakeFirst();
      if (!row) return { done: false, deliveryId: null };
      await this.credits.refundGeneration(tx, row.account_id, generationId);
      return { done: true, deliveryId: await this.recordTerminal(tx, generationId, row, 'FAILED', now) };
    });
    if (done) this.events.publishTerminal(generationId);
    if (deliveryId) await this.webhooks?.afterCommit(deliveryId);
    return done;
  }

  /** The webhook event of a terminal transition, in its transaction: it exists if and only if the transition does. */
  private recordTerminal(
    tx: Tx,
    generationId: string,
    row: { account_id: string; webhook_url: string | null },
    status: TerminalTransition['status'],
    at: string,
  ): Promise<string | null> {
    if (!this.webhooks) return Promise.resolve(null);
    return this.webhooks.recordTerminal(tx, {
      generationId,
      accountId: row.account_id,
      status,
      requestUrl: row.webhook_url,
      at,
    });
  }

  /**
   * Records a product image the job downloaded, in the snapshot and (if unchanged since) on the product. `item`: the
   * outfit item (its index in outfit_snapshot, dressing order) the image belongs to; none for a single product. The
   * request's first product is in product_snapshot too, which is kept alike.
   */
  async recordDownloadedImage(
    generationId: string,
    index: number,
    stored: { blobKey: string; contentType: string; contentHash: string },
    item?: number,
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('generations')
        .select(['product_snapshot', 'outfit_snapshot'])
        .where('id', '=', generationId)
        .executeTakeFirstOrThrow();
      const snap = JSON.parse(row.product_snapshot) as ProductSnapshot;
      const outfit =
        item !== undefined && row.outfit_snapshot ? (JSON.parse(row.outfit_snapshot) as OutfitItemSnapshot[]) : null;
      const img = outfit ? outfit[item!]!.images[index]! : snap.images[index]!;
      Object.assign(img, stored);
      if (!outfit || outfit[item!]!.position === 0) Object.assign(snap.images[index]!, stored);
      await tx
        .updateTable('generations')
        .set({
          product_snapshot: JSON.stringify(snap),
          ...(outfit ? { outfit_snapshot: JSON.stringify(outfit) } : {}),
        })
        .where('id', '=', generationId)
        .execute();
      // Later generations of the product reuse the stored copy, so a shop's CDN outage never breaks a reference try-on.
      await tx
        .updateTable('product_images')
        .set({ blob_key: stored.blobKey, content_type: stored.contentType, content_hash: stored.contentHash })
        .where('id', '=', img.productImageId)
        .where('blob_key', 'is', null)
        .execute();
    });
  }
}

/** The answer of an accepted try-on (and of its replay): an outfit's adds every product id. */
function acceptedAnswer(row: Pick<GenerationRow, 'id' | 'status' | 'product_external_id' | 'outfit_snapshot'>) {
  const ids = outfitExternalIds(row.outfit_snapshot);
  return {
    generationId: row.id,
    status: row.status,
    productExternalId: row.product_external_id,
    ...(ids ? { productExternalIds: ids } : {}),
  };
}

/**
 * A `mock` product runs the whole try-on on the mock engine (spec §8), so it cannot share an outfit with products
 * meant for a real engine: refused, naming the first product that differs from the first one.
 */
function refuseMockMix(products: ProductSnapshot[]): void {
  const isMock = (p: ProductSnapshot) => p.title === MOCK_TITLE;
  const odd = products.findIndex((p) => isMock(p) !== isMock(products[0]!));
  if (odd < 0) return;
  throw new ApiError(
    'VALIDATION_FAILED',
    `products.${odd}: a product titled '${MOCK_TITLE}' (the mock engine) cannot be combined with other products.`,
    [{ path: `products.${odd}.title`, message: `Every product of an outfit is titled '${MOCK_TITLE}', or none` }],
  );
}

/**
 * An outfit's dressing order by its products' words (a bottom before a top, a dress before outerwear), or
 * VALIDATION_FAILED naming the product that cannot be layered with those before it. Products whose words name no
 * garment pass here; the worker checks them with the engine's analysis of their image.
 */
function planOutfitOrRefuse(snapshots: ProductSnapshot[]): OutfitItemSnapshot[] {
  const plan = planOutfit(
    snapshots,
    snapshots.map((p) => categoryFromWords(p)),
  );
  if (!plan.ok) {
    throw new ApiError(
      'VALIDATION_FAILED',
      `products.${plan.index} ('${snapshots[plan.index]!.externalId}') cannot be layered with the products before ` +
        `it: ${plan.message}.`,
      [{ path: `products.${plan.index}`, message: `Cannot be layered: ${plan.message}` }],
    );
  }
  return plan.order.map((position) => ({ ...snapshots[position]!, position }));
}

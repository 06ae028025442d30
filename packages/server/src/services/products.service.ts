/**
 * Products: catalog upserts (POST /products), inline upserts and one-shots from /try-on, listing, deletion, TTLs.
 *
 * TTL rule (spec §8): `expires_at = (last_used_at ?? updated_at) + valid_for_days`, null when valid_for_days is null.
 * Catalog products are forever unless validForDays is set; inline-created ones live 15 days and one-shots 7 days from
 * their last use. An expired product is treated exactly like a missing one (404) and is later swept.
 *
 * Image bytes are downloaded and stored before any row changes, and removed again if the rows cannot be written,
 * so a failed request leaves neither half-written rows nor orphaned files.
 */

import { productImageKey } from '../blob-keys.js';
import type { Config } from '../config.js';
import type { Db, DbOrTx, Tx } from '../db/database.js';
import type { ProductImageRow, ProductKind, ProductRow } from '../db/schema.js';
import { retryOnceIfRaced } from '../db/unique-race.js';
import { ApiError, fileKeyNotFound, productNotFound } from '../errors.js';
import type { UploadedFile } from '../http/multipart.js';
import { newId, newOneShotProductId, sha256Hex } from '../ids.js';
import { normalizeProductImage } from '../images/normalize.js';
import { downloadImage } from '../net/safe-fetch.js';
import type { BlobStore } from '../ports/blob-store.js';
import { addDays, type Clock } from '../ports/clock.js';
import type { ImageInput, ProductInput } from './product-input.js';

export const INLINE_TTL_DAYS = 15;
export const ONE_SHOT_TTL_DAYS = 7;
/** UNIQUE(account_id, external_id) of the products table (db/migrations.ts): one product per id and account. */
export const PRODUCT_EXTERNAL_ID_UNIQUE = 'products_account_external';

/** An image ready to be attached to a product row: stored already, or (inline /try-on) to be fetched by the job. */
export interface PreparedImage {
  sourceUrl: string | null;
  role: string | null;
  classifications: Record<string, unknown> | null;
  blobKey: string | null;
  contentType: string | null;
  contentHash: string | null;
}

export interface ProductWithImages {
  product: ProductRow;
  images: ProductImageRow[];
}

export interface ApiProduct {
  externalId: string;
  /** "" when the product has none: Genlook types both as strings in every product answer. */
  title: string;
  description: string;
  metadata: Record<string, unknown> | null;
  autoDetectImageRoles: boolean;
  validForDays: number | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
  images: Array<{ sourceUrl: string | null; role: string | null; order: number }>;
}

const expiryOf = (validForDays: number | null, from: string) =>
  validForDays === null ? null : addDays(new Date(from), validForDays).toISOString();

export class ProductsService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly config: Config,
  ) {}

  private nowIso() {
    return this.clock.now().toISOString();
  }

  // ---- reading -------------------------------------------------------------------------------------------------

  /** A live (not expired) product of this account with its images, or null. */
  async find(db: DbOrTx, accountId: string, externalId: string): Promise<ProductWithImages | null> {
    const product = await db
      .selectFrom('products')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('external_id', '=', externalId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', this.nowIso())]))
      .executeTakeFirst();
    if (!product) return null;
    const images = await db
      .selectFrom('product_images')
      .selectAll()
      .where('product_id', '=', product.id)
      .orderBy('ord')
      .execute();
    return { product, images };
  }

  async get(accountId: string, externalId: string): Promise<ApiProduct> {
    const found = await this.find(this.db, accountId, externalId);
    if (!found) throw productNotFound(externalId);
    return this.toApi(found);
  }

  /** Cursor pages over catalog and inline products, oldest first; one-shots and expired products are not listed. */
  async list(accountId: string, limit: number, cursor: string | undefined) {
    let after: { c: string; i: string } | null = null;
    if (cursor) {
      try {
        after = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
        if (typeof after?.c !== 'string' || typeof after?.i !== 'string') throw new Error('bad cursor');
      } catch {
        throw new ApiError('VALIDATION_FAILED', 'Invalid cursor.', [{ path: 'cursor', message: 'Invalid cursor' }]);
      }
    }
    const now = this.nowIso();
    let q = this.db
      .selectFrom('products')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('kind', '!=', 'one_shot')
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    if (after) {
      const { c, i } = after;
      q = q.where((eb) => eb.or([eb('created_at', '>', c), eb.and([eb('created_at', '=', c), eb('id', '>', i)])]));
    }
    const rows = await q
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    const images = page.length
      ? await this.db
          .selectFrom('product_images')
          .selectAll()
          .where(
            'product_id',
            'in',
            page.map((p) => p.id),
          )
          .orderBy('ord')
          .execute()
      : [];
    const items = await Promise.all(
      page.map((product) => this.toApi({ product, images: images.filter((im) => im.product_id === product.id) })),
    );
    const last = page[page.length - 1];
    return {
      items,
      nextCursor:
        hasMore && last ? Buffer.from(JSON.stringify({ c: last.created_at, i: last.id })).toString('base64url') : null,
      hasMore,
      count: items.length,
    };
  }

  async toApi({ product, images }: ProductWithImages): Promise<ApiProduct> {
    return {
      externalId: product.external_id,
      title: product.title ?? '',
      description: product.description ?? '',
      metadata: product.metadata ? JSON.parse(product.metadata) : null,
      autoDetectImageRoles: product.auto_detect_image_roles === 1,
      validForDays: product.valid_for_days,
      expiresAt: product.expires_at,
      lastUsedAt: product.last_used_at,
      createdAt: product.created_at,
      updatedAt: product.updated_at,
      images: await Promise.all(
        images.map(async (im) => ({
          // Images uploaded as files have no source URL of their own: expose a signed URL of our stored copy.
          sourceUrl:
            im.source_url ?? (im.blob_key ? await this.blobs.signedUrl(im.blob_key, this.config.signedUrlTtlS) : null),
          role: im.role,
          order: im.ord,
        })),
      ),
    };
  }

  // ---- images --------------------------------------------------------------------------------------------------

  /**
   * Stores file images (and, when `downloadUrls`, URL images) as blobs. On any failure, blobs written so far are
   * deleted before the error propagates.
   */
  async prepareImages(
    accountId: string,
    images: ImageInput[],
    files: Map<string, UploadedFile>,
    opts: { downloadUrls: boolean; reuse?: ProductImageRow[] },
  ): Promise<PreparedImage[]> {
    for (const img of images) {
      if (img.kind === 'file' && !files.has(img.fileKey)) throw fileKeyNotFound(img.fileKey);
    }
    const written: string[] = [];
    try {
      const out: PreparedImage[] = [];
      for (const img of images) {
        const base = { role: img.role, classifications: img.classifications };
        if (img.kind === 'url') {
          // The same URL already stored for this product: reuse the stored copy instead of downloading it again.
          const known = opts.reuse?.find((r) => r.source_url === img.url && r.blob_key);
          if (known) {
            out.push({
              ...base,
              sourceUrl: img.url,
              blobKey: known.blob_key,
              contentType: known.content_type,
              contentHash: known.content_hash,
            });
            continue;
          }
          if (!opts.downloadUrls) {
            out.push({ ...base, sourceUrl: img.url, blobKey: null, contentType: null, contentHash: null });
            continue;
          }
          const bytes = await this.download(img.url);
          const stored = await this.storeImageBytes(accountId, bytes, 'PRODUCT_IMAGE_FETCH_FAILED', img.url);
          written.push(stored.blobKey);
          out.push({ ...base, sourceUrl: img.url, ...stored });
        } else {
          const file = files.get(img.fileKey)!;
          const stored = await this.storeImageBytes(accountId, file.data, 'INVALID_IMAGE', img.fileKey);
          written.push(stored.blobKey);
          out.push({ ...base, sourceUrl: null, ...stored });
        }
      }
      return out;
    } catch (err) {
      await Promise.all(written.map((k) => this.blobs.delete(k)));
      throw err;
    }
  }

  /** Downloads a product image URL (SSRF-safe, bounded); failures are PRODUCT_IMAGE_FETCH_FAILED. */
  download(url: string): Promise<Buffer> {
    return downloadImage(
      url,
      this.config,
      (why) => new ApiError('PRODUCT_IMAGE_FETCH_FAILED', `Product image ${url} could not be downloaded (${why}).`),
    );
  }

  /** Validates and normalises image bytes and writes them as a blob; returns where. */
  async storeImageBytes(
    accountId: string,
    bytes: Uint8Array,
    errorCode: 'PRODUCT_IMAGE_FETCH_FAILED' | 'INVALID_IMAGE',
    label: string,
  ): Promise<{ blobKey: string; contentType: string; contentHash: string }> {
    let image: Awaited<ReturnType<typeof normalizeProductImage>>;
    try {
      image = await normalizeProductImage(bytes, { maxPixels: this.config.maxImagePixels });
    } catch (err) {
      if (err instanceof ApiError) {
        throw new ApiError(errorCode, `Product image ${label} is not a readable image: ${err.message}`);
      }
      throw err;
    }
    const blobKey = productImageKey(accountId, newId('pim'), image.contentType);
    await this.blobs.put(blobKey, image.data, image.contentType);
    return { blobKey, contentType: image.contentType, contentHash: sha256Hex(image.data) };
  }

  // ---- writing -------------------------------------------------------------------------------------------------

  /** POST /products: downloads every image first; nothing changes if any image fails. */
  async upsertCatalog(
    accountId: string,
    input: ProductInput & { validForDays: number | null | undefined },
    files: Map<string, UploadedFile>,
  ): Promise<ApiProduct> {
    const externalId = input.externalId!;
    const existing = await this.find(this.db, accountId, externalId);
    // A new product needs images; an update may keep its images (omitted) but not empty them.
    if (input.images ? input.images.length === 0 : !existing) throw new ApiError('PRODUCT_IMAGES_REQUIRED');
    const prepared = input.images
      ? await this.prepareImages(accountId, input.images, files, { downloadUrls: true, reuse: existing?.images })
      : undefined;
    let replacedBlobs: string[] = [];
    try {
      // Two upserts of one new product can both insert it on PostgreSQL: the loser runs again as an update.
      const saved = await retryOnceIfRaced(PRODUCT_EXTERNAL_ID_UNIQUE, () =>
        this.db.transaction().execute(async (tx) => {
          const r = await this.write(tx, accountId, externalId, input, prepared, {
            kind: 'catalog',
            // Omitting validForDays keeps the current TTL (spec §2.6 GUESS); a new catalog product is forever.
            validForDays:
              input.validForDays !== undefined ? input.validForDays : (existing?.product.valid_for_days ?? null),
          });
          replacedBlobs = r.replacedBlobs;
          return r.saved;
        }),
      );
      await this.deleteUnreferencedBlobs(replacedBlobs);
      return this.toApi(saved);
    } catch (err) {
      await this.deleteUnreferencedBlobs(this.newBlobs(prepared, existing?.images));
      throw err;
    }
  }

  /**
   * The product part of a /try-on, inside the try-on's transaction. Reference: must exist. Inline upsert: creates
   * (15-day TTL) or updates (TTL setting kept). One-shot: a new `_anon_` product (7-day TTL). Images are prepared by
   * the caller beforehand (`prepareImages` with downloadUrls false); the job downloads URL images.
   */
  async resolveForTryOn(
    tx: Tx,
    accountId: string,
    input: ProductInput,
    prepared: PreparedImage[] | undefined,
  ): Promise<{ saved: ProductWithImages; replacedBlobs: string[] }> {
    const hasInlineFields =
      input.title !== undefined ||
      input.description !== undefined ||
      input.images !== undefined ||
      input.metadata !== undefined;
    if (input.externalId === undefined) {
      if (!prepared || prepared.length === 0) throw new ApiError('PRODUCT_IMAGES_REQUIRED');
      return this.write(tx, accountId, newOneShotProductId(), input, prepared, {
        kind: 'one_shot',
        validForDays: ONE_SHOT_TTL_DAYS,
      });
    }
    const existing = await this.find(tx, accountId, input.externalId);
    if (!hasInlineFields) {
      if (!existing) throw productNotFound(input.externalId);
      return { saved: existing, replacedBlobs: [] };
    }
    if (prepared ? prepared.length === 0 : !existing) throw new ApiError('PRODUCT_IMAGES_REQUIRED');
    return this.write(tx, accountId, input.externalId, input, prepared, {
      kind: existing ? existing.product.kind : 'inline',
      validForDays: existing ? existing.product.valid_for_days : INLINE_TTL_DAYS,
    });
  }

  /** Marks a product used by a generation: refreshes last_used_at and pushes the expiry out. */
  async touch(tx: Tx, product: ProductRow): Promise<ProductRow> {
    const now = this.nowIso();
    const patch = { last_used_at: now, expires_at: expiryOf(product.valid_for_days, now) };
    await tx.updateTable('products').set(patch).where('id', '=', product.id).execute();
    return { ...product, ...patch };
  }

  async delete(accountId: string, externalId: string): Promise<void> {
    const found = await this.find(this.db, accountId, externalId);
    if (!found) throw productNotFound(externalId);
    await this.db.deleteFrom('products').where('id', '=', found.product.id).execute();
    // Generations keep their own snapshot (and the blob keys in it stay referenced until retention removes them),
    // so product image blobs still referenced by a generation snapshot are kept.
    await this.deleteUnreferencedBlobs(found.images.map((im) => im.blob_key).filter((k): k is string => k !== null));
  }

  /** Deletes the given product-image blobs unless a product image row or a generation snapshot still refers to them. */
  async deleteUnreferencedBlobs(keys: string[]): Promise<void> {
    for (const key of keys) {
      const row = await this.db
        .selectFrom('product_images')
        .select('id')
        .where('blob_key', '=', key)
        .executeTakeFirst();
      if (row) continue;
      const gen = await this.db
        .selectFrom('generations')
        .select('id')
        // An outfit's other products are in outfit_snapshot only (the first is in both).
        .where((eb) => eb.or([eb('product_snapshot', 'like', `%${key}%`), eb('outfit_snapshot', 'like', `%${key}%`)]))
        .where('status', 'in', ['PENDING', 'PROCESSING'])
        .executeTakeFirst();
      if (!gen) await this.blobs.delete(key);
    }
  }

  /** The blobs `prepareImages` wrote for this request (not reused copies of the product's stored images). */
  newBlobs(prepared: PreparedImage[] | undefined, existing: ProductImageRow[] | undefined): string[] {
    const keep = new Set((existing ?? []).map((r) => r.blob_key));
    return (prepared ?? []).map((p) => p.blobKey).filter((k): k is string => k !== null && !keep.has(k));
  }

  /** Inserts or updates the product row and (when given) replaces its image list. */
  private async write(
    tx: Tx,
    accountId: string,
    externalId: string,
    input: ProductInput,
    prepared: PreparedImage[] | undefined,
    opts: { kind: ProductKind; validForDays: number | null },
  ): Promise<{ saved: ProductWithImages; replacedBlobs: string[] }> {
    const now = this.nowIso();
    const current = await tx
      .selectFrom('products')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    const expired = current?.expires_at != null && current.expires_at <= now;
    let replacedBlobs: string[] = [];
    if (current && expired) {
      // An expired product is gone as far as clients can tell: start afresh rather than resurrect old fields.
      const old = await tx
        .selectFrom('product_images')
        .select('blob_key')
        .where('product_id', '=', current.id)
        .execute();
      replacedBlobs = old.map((o) => o.blob_key).filter((k): k is string => k !== null);
      await tx.deleteFrom('products').where('id', '=', current.id).execute();
    }
    const live = current && !expired ? current : undefined;
    let product: ProductRow;
    if (!live) {
      product = {
        id: newId('prd'),
        account_id: accountId,
        external_id: externalId,
        kind: opts.kind,
        title: input.title ?? null,
        description: input.description ?? null,
        metadata: input.metadata ? JSON.stringify(input.metadata) : null,
        auto_detect_image_roles: input.autoDetectImageRoles ? 1 : 0,
        valid_for_days: opts.validForDays,
        last_used_at: null,
        expires_at: expiryOf(opts.validForDays, now),
        created_at: now,
        updated_at: now,
      };
      await tx.insertInto('products').values(product).execute();
    } else {
      // Partial update: a field that is omitted keeps its value (spec scenario 40).
      product = {
        ...live,
        kind: live.kind === 'catalog' ? 'catalog' : opts.kind,
        title: input.title !== undefined ? input.title : live.title,
        description: input.description !== undefined ? input.description : live.description,
        metadata:
          input.metadata !== undefined ? (input.metadata ? JSON.stringify(input.metadata) : null) : live.metadata,
        auto_detect_image_roles:
          input.autoDetectImageRoles !== undefined
            ? input.autoDetectImageRoles
              ? 1
              : 0
            : live.auto_detect_image_roles,
        valid_for_days: opts.validForDays,
        expires_at: expiryOf(opts.validForDays, live.last_used_at ?? now),
        updated_at: now,
      };
      const { id, ...rest } = product;
      await tx.updateTable('products').set(rest).where('id', '=', id).execute();
    }
    let images: ProductImageRow[];
    if (prepared) {
      const old = live
        ? await tx.selectFrom('product_images').selectAll().where('product_id', '=', product.id).execute()
        : [];
      const kept = new Set(prepared.map((p) => p.blobKey));
      replacedBlobs.push(...old.map((o) => o.blob_key).filter((k): k is string => k !== null && !kept.has(k)));
      await tx.deleteFrom('product_images').where('product_id', '=', product.id).execute();
      images = prepared.map((p, ord) => ({
        id: newId('pim'),
        product_id: product.id,
        ord,
        source_url: p.sourceUrl,
        role: p.role,
        classifications: p.classifications ? JSON.stringify(p.classifications) : null,
        blob_key: p.blobKey,
        content_type: p.contentType,
        content_hash: p.contentHash,
      }));
      if (images.length) await tx.insertInto('product_images').values(images).execute();
    } else {
      images = await tx
        .selectFrom('product_images')
        .selectAll()
        .where('product_id', '=', product.id)
        .orderBy('ord')
        .execute();
    }
    return { saved: { product, images }, replacedBlobs };
  }
}

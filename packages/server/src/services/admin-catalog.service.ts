/**
 * The admin API's views over every account's products and generations, and over an account's credit ledger
 * (docs/admin-api.md): keyset pages newest first (pagination.ts), filters, and the deletion of a product by its id.
 */
import type { Db } from '../db/database.js';
import type { GenerationRow, GenerationStatus, ProductImageRow, ProductRow } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import type { LedgerRow } from './credits.service.js';
import { matches, newestFirstPage, type Page } from './pagination.js';

export interface ProductQuery {
  accountId?: string;
  /** A part of the external id or of the title, ignoring the case of ASCII letters. */
  search?: string;
  limit: number;
  cursor?: string;
}

/**
 * Products of every kind (catalog, inline, one-shot), expired ones included until the sweep deletes them: the
 * operator sees what is stored, and the answer says which are expired.
 */
export async function pageProducts(
  db: Db,
  query: ProductQuery,
): Promise<Page<{ product: ProductRow; images: ProductImageRow[] }>> {
  let q = db.selectFrom('products').selectAll();
  if (query.accountId) q = q.where('account_id', '=', query.accountId);
  const search = query.search;
  if (search) q = q.where((eb) => eb.or([matches('products.external_id', search), matches('products.title', search)]));
  const page = await newestFirstPage(q, 'products', query);
  const images =
    page.data.length > 0
      ? await db
          .selectFrom('product_images')
          .selectAll()
          .where(
            'product_id',
            'in',
            page.data.map((p) => p.id),
          )
          .orderBy('product_id')
          .orderBy('ord')
          .execute()
      : [];
  return {
    data: page.data.map((product) => ({ product, images: images.filter((im) => im.product_id === product.id) })),
    nextCursor: page.nextCursor,
  };
}

/**
 * Deletes a product as DELETE /tryon/v1/products/:externalId does (the rows, then the image files no running
 * generation still needs; finished generations keep their snapshot), but found by id and also when expired: the
 * public API cannot reach an expired product, the operator can.
 */
export async function deleteProductById(deps: Deps, productId: string): Promise<void> {
  const product = await deps.db.selectFrom('products').select('id').where('id', '=', productId).executeTakeFirst();
  if (!product) throw new ApiError('PRODUCT_NOT_FOUND', `Product '${productId}' not found.`);
  const images = await deps.db
    .selectFrom('product_images')
    .select('blob_key')
    .where('product_id', '=', productId)
    .execute();
  // product_images go with it (ON DELETE CASCADE).
  await deps.db.deleteFrom('products').where('id', '=', productId).execute();
  await deps.products.deleteUnreferencedBlobs(images.map((im) => im.blob_key).filter((k): k is string => k !== null));
}

export interface GenerationQuery {
  accountId?: string;
  status?: GenerationStatus;
  /** Created at or after this instant (ISO-8601 UTC, as stored). */
  from?: string;
  /** Created before this instant. */
  to?: string;
  limit: number;
  cursor?: string;
}

export async function pageGenerations(db: Db, query: GenerationQuery): Promise<Page<GenerationRow>> {
  let q = db.selectFrom('generations').selectAll();
  if (query.accountId) q = q.where('account_id', '=', query.accountId);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.from) q = q.where('created_at', '>=', query.from);
  if (query.to) q = q.where('created_at', '<', query.to);
  return newestFirstPage(q, 'generations', query);
}

export async function findGeneration(db: Db, id: string): Promise<GenerationRow> {
  const row = await db.selectFrom('generations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('GENERATION_NOT_FOUND', `Generation '${id}' not found.`);
  return row;
}

/** An account's credit ledger, newest first. */
export async function pageLedger(
  db: Db,
  accountId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<LedgerRow>> {
  return newestFirstPage(
    db.selectFrom('credit_ledger').selectAll().where('account_id', '=', accountId),
    'credit_ledger',
    query,
  );
}

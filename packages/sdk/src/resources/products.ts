import { ENDPOINTS } from '../endpoints.js';
import { encodeJsonOrForm } from '../multipart.js';
import type { RequestOptions, Transport } from '../transport.js';
import type { ListProductsParams, Product, ProductList, ProductUpsertRequest } from '../types.js';

export class Products {
  constructor(private readonly transport: Transport) {}

  /**
   * Creates or updates a catalog product (`POST /products`, upsert on `externalId`). With `files`, the request is
   * multipart: JSON in `data`, each file a part named by its key, referenced as `{source: {fileKey}}`. Safe to retry
   * (an upsert of the same body is idempotent), so it is retried on transient errors.
   *
   * @example
   * import { readFile } from 'node:fs/promises';
   * await client.products.upsert({
   *   externalId: 'shirt-42',
   *   title: 'Red tee',
   *   images: [{ source: { fileKey: 'front' } }],
   *   files: { front: { data: await readFile('front.jpg'), mimeType: 'image/jpeg' } },
   * });
   */
  async upsert(body: ProductUpsertRequest, requestOptions?: RequestOptions): Promise<Product> {
    const res = await this.transport.request<Product>({
      endpoint: ENDPOINTS['products.upsert'],
      ...encodeJsonOrForm(body),
      options: requestOptions,
    });
    return res.data;
  }

  /**
   * One page of catalog products (`GET /products`). One-shot products are not listed.
   *
   * @example
   * const page = await client.products.list({ limit: 20 });
   * if (page.hasMore) await client.products.list({ limit: 20, cursor: page.nextCursor! });
   */
  async list(params: ListProductsParams = {}, requestOptions?: RequestOptions): Promise<ProductList> {
    const res = await this.transport.request<ProductList>({
      endpoint: ENDPOINTS['products.list'],
      query: { limit: params.limit, cursor: params.cursor },
      options: requestOptions,
    });
    return res.data;
  }

  /**
   * Every catalog product, fetching pages of `limit` as the loop advances.
   *
   * @example
   * for await (const product of client.products.listAll({ limit: 100 })) {
   *   console.log(product.externalId);
   * }
   */
  async *listAll(
    params: Omit<ListProductsParams, 'cursor'> = {},
    requestOptions?: RequestOptions,
  ): AsyncGenerator<Product, void, undefined> {
    let cursor: string | undefined;
    for (;;) {
      const page = await this.list({ ...params, ...(cursor !== undefined ? { cursor } : {}) }, requestOptions);
      yield* page.items;
      // Stop on hasMore=false, and also on a missing cursor, so a server bug cannot make this loop forever.
      if (!page.hasMore || page.nextCursor === null || page.nextCursor === undefined || page.nextCursor === cursor) {
        return;
      }
      cursor = page.nextCursor;
    }
  }

  /**
   * One product by id (`GET /products/:externalId`), one-shot products included. Throws `ProductNotFoundError`.
   *
   * @example
   * const product = await client.products.retrieve('shirt-42');
   */
  async retrieve(externalId: string, requestOptions?: RequestOptions): Promise<Product> {
    const res = await this.transport.request<Product>({
      endpoint: ENDPOINTS['products.retrieve'],
      params: { externalId },
      options: requestOptions,
    });
    return res.data;
  }

  /**
   * Deletes a product (`DELETE /products/:externalId`, 204). Past generations keep their snapshot. Throws
   * `ProductNotFoundError` when it does not exist.
   *
   * @example
   * await client.products.delete('shirt-42');
   */
  async delete(externalId: string, requestOptions?: RequestOptions): Promise<void> {
    await this.transport.request<undefined>({
      endpoint: ENDPOINTS['products.delete'],
      params: { externalId },
      options: requestOptions,
    });
  }
}

import { readJsonOrMultipart } from '../http/multipart.js';
import { defineRoute } from '../http/route.js';
import { errorResponses, Product } from '../http/schemas.js';
import { parseCatalogProduct, WireCatalogProduct } from '../services/product-input.js';

export const upsertProductRoute = defineRoute({
  method: 'POST',
  url: '/products',
  operationId: 'upsertProduct',
  summary: 'Upsert a catalog product',
  description:
    'Creates or updates the product `externalId` of your account. Omitted fields keep their value; `images` replaces ' +
    'the whole list. Image URLs are downloaded and stored before the answer. Send JSON, or multipart/form-data with ' +
    'the JSON in a `data` field and each `images[].source.fileKey` naming a file part. Lifetime unless `validForDays`.',
  tags: ['Products'],
  auth: true,
  consumes: ['application/json', 'multipart/form-data'],
  body: WireCatalogProduct,
  responses: { 200: { description: 'The product', schema: Product }, ...errorResponses(400, 401, 413, 429) },
  async handler({ req, account, deps }) {
    const { body, files } = await readJsonOrMultipart(req, deps.config.maxUploadBytes);
    return deps.products.upsertCatalog(account.id, parseCatalogProduct(body), files);
  },
});

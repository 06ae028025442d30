import type { AnyRoute } from '../http/route.js';
import { createTryOnRoute } from './create-try-on.route.js';
import { createTryOnSyncRoute } from './create-try-on-sync.route.js';
import { deleteCustomerRoute } from './delete-customer.route.js';
import { deleteProductRoute } from './delete-product.route.js';
import { getCreditsRoute } from './get-credits.route.js';
import { getGenerationRoute } from './get-generation.route.js';
import { getProductRoute } from './get-product.route.js';
import { listProductsRoute } from './list-products.route.js';
import { uploadImageRoute } from './upload-image.route.js';
import { upsertProductRoute } from './upsert-product.route.js';

/** Every operation of the Genlook v1 contract that this server implements. */
export const routes: AnyRoute[] = [
  uploadImageRoute,
  createTryOnRoute,
  createTryOnSyncRoute,
  getGenerationRoute,
  getCreditsRoute,
  upsertProductRoute,
  listProductsRoute,
  getProductRoute,
  deleteProductRoute,
  deleteCustomerRoute,
];

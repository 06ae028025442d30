import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { errorResponses, Product } from '../http/schemas.js';

export const ProductParams = z.object({ externalId: z.string().min(1).max(255) });

export const getProductRoute = defineRoute({
  method: 'GET',
  url: '/products/:externalId',
  operationId: 'getProduct',
  summary: 'Get a product (one-shot ids too)',
  tags: ['Products'],
  auth: true,
  params: ProductParams,
  responses: { 200: { description: 'The product', schema: Product }, ...errorResponses(401, 404, 429) },
  async handler({ params, account, deps }) {
    return deps.products.get(account.id, params.externalId);
  },
});

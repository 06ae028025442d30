import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { errorResponses, ProductList } from '../http/schemas.js';

export const listProductsRoute = defineRoute({
  method: 'GET',
  url: '/products',
  operationId: 'listProducts',
  summary: 'List products',
  description:
    'Cursor pagination, oldest first. One-shot products (created by /try-on without externalId) are not listed.',
  tags: ['Products'],
  auth: true,
  query: z.object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(512).optional(),
  }),
  responses: { 200: { description: 'One page', schema: ProductList }, ...errorResponses(400, 401, 429) },
  async handler({ query, account, deps }) {
    return deps.products.list(account.id, query.limit, query.cursor);
  },
});

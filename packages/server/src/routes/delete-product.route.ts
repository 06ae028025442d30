import { defineRoute } from '../http/route.js';
import { errorResponses } from '../http/schemas.js';
import { ProductParams } from './get-product.route.js';

export const deleteProductRoute = defineRoute({
  method: 'DELETE',
  url: '/products/:externalId',
  operationId: 'deleteProduct',
  summary: 'Delete a product',
  description: 'Past generations keep their snapshot of the product.',
  tags: ['Products'],
  auth: true,
  params: ProductParams,
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 404, 429) },
  async handler({ params, account, deps, reply }) {
    await deps.products.delete(account.id, params.externalId);
    return reply.status(204).send();
  },
});

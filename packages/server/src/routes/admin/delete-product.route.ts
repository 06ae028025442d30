import { z } from 'zod';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { deleteProductById } from '../../services/admin-catalog.service.js';
import { adminErrors } from './shapes.js';

export const deleteProductRoute = defineRoute({
  method: 'DELETE',
  url: `${ADMIN_PREFIX}/products/:productId`,
  operationId: 'adminDeleteProduct',
  summary: 'Delete a product',
  description:
    'As DELETE /tryon/v1/products/:externalId does (its image files too; past generations keep their snapshot), by ' +
    'the product id of GET /admin/v1/products, expired products included.',
  tags: ['Admin: products'],
  auth: true,
  params: z.object({ productId: z.string().min(1).max(64) }),
  responses: { 204: { description: 'Deleted' }, ...adminErrors(400, 404) },
  async handler({ reply, params, deps }) {
    await deleteProductById(deps, params.productId);
    return reply.status(204).send();
  },
});

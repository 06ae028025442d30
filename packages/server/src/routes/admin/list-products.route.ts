import { z } from 'zod';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { pageProducts } from '../../services/admin-catalog.service.js';
import { AdminProduct, adminErrors, PageQuery, pageOf, productOut } from './shapes.js';

export const listProductsRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/products`,
  operationId: 'adminListProducts',
  summary: 'List products of every account (or of one)',
  description:
    'Newest first, every kind (catalog, inline, one-shot), expired ones included until the sweep deletes them ' +
    '(`expired`). `search` matches a part of the external id or of the title, ignoring case. Image URLs are signed ' +
    'as the public API signs them.',
  tags: ['Admin: products'],
  auth: true,
  query: PageQuery.extend({
    accountId: z.string().min(1).max(64).optional().describe('Only this account (404 if there is none)'),
    search: z.string().max(255).optional(),
  }),
  responses: { 200: { description: 'One page', schema: pageOf(AdminProduct) }, ...adminErrors(400, 404) },
  async handler({ query, deps }) {
    if (query.accountId) await deps.accounts.found(query.accountId);
    const page = await pageProducts(deps.db, query);
    return {
      data: await Promise.all(page.data.map((p) => productOut(deps, p.product, p.images))),
      nextCursor: page.nextCursor,
    };
  },
});

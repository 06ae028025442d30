import { z } from 'zod';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { AdminAccount, accountOut, adminErrors, PageQuery, pageOf } from './shapes.js';

export const listAccountsRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/accounts`,
  operationId: 'adminListAccounts',
  summary: 'List accounts',
  description: 'Newest first. `search` matches a part of the name or of the id, ignoring case.',
  tags: ['Admin: accounts'],
  auth: true,
  query: PageQuery.extend({ search: z.string().max(200).optional() }),
  responses: { 200: { description: 'One page', schema: pageOf(AdminAccount) }, ...adminErrors(400) },
  async handler({ query, deps }) {
    const page = await deps.accounts.page(query);
    return { data: page.data.map(accountOut), nextCursor: page.nextCursor };
  },
});

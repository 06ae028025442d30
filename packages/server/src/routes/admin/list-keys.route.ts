import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { AccountParams, AdminApiKey, adminErrors, apiKeyOut, PageQuery, pageOf } from './shapes.js';

export const listKeysRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/accounts/:accountId/keys`,
  operationId: 'adminListKeys',
  summary: "List an account's API keys",
  description: 'Newest first, revoked ones included. The keys themselves are never shown again: only their prefix.',
  tags: ['Admin: API keys'],
  auth: true,
  params: AccountParams,
  query: PageQuery,
  responses: { 200: { description: 'One page', schema: pageOf(AdminApiKey) }, ...adminErrors(400, 404) },
  async handler({ params, query, deps }) {
    await deps.accounts.found(params.accountId);
    const page = await deps.accounts.keysOf(params.accountId, query.limit, query.cursor);
    return { data: page.data.map(apiKeyOut), nextCursor: page.nextCursor };
  },
});

import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { AccountParams, AdminAccount, accountOut, adminErrors } from './shapes.js';

export const getAccountRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/accounts/:accountId`,
  operationId: 'adminGetAccount',
  summary: 'Get an account',
  tags: ['Admin: accounts'],
  auth: true,
  params: AccountParams,
  responses: { 200: { description: 'The account', schema: AdminAccount }, ...adminErrors(400, 404) },
  async handler({ params, deps }) {
    return accountOut(await deps.accounts.found(params.accountId));
  },
});

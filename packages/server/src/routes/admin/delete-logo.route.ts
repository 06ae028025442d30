import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { clearAccountLogo } from '../../services/logo.js';
import { AccountParams, AdminAccount, accountOut, adminErrors } from './shapes.js';

export const deleteLogoRoute = defineRoute({
  method: 'DELETE',
  url: `${ADMIN_PREFIX}/accounts/:accountId/logo`,
  operationId: 'adminDeleteLogo',
  summary: "Remove an account's watermark logo",
  description: 'Its file too. New results of the account carry no logo. Removing an absent logo changes nothing.',
  tags: ['Admin: accounts'],
  auth: true,
  params: AccountParams,
  responses: { 200: { description: 'The account', schema: AdminAccount }, ...adminErrors(400, 404) },
  async handler({ params, deps }) {
    await deps.accounts.found(params.accountId);
    await clearAccountLogo(deps, params.accountId);
    return accountOut(await deps.accounts.found(params.accountId));
  },
});

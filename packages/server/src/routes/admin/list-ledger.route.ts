import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { pageLedger } from '../../services/admin-catalog.service.js';
import { AccountParams, AdminLedgerEntry, adminErrors, ledgerOut, PageQuery, pageOf } from './shapes.js';

export const listLedgerRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/accounts/:accountId/ledger`,
  operationId: 'adminListLedger',
  summary: "An account's credit ledger",
  description:
    'Every credit movement, newest first: grants, top-ups and adjustments (with their note), try-on debits and the ' +
    'refunds of failed try-ons, each with the balance it left.',
  tags: ['Admin: credits'],
  auth: true,
  params: AccountParams,
  query: PageQuery,
  responses: { 200: { description: 'One page', schema: pageOf(AdminLedgerEntry) }, ...adminErrors(400, 404) },
  async handler({ params, query, deps }) {
    await deps.accounts.found(params.accountId);
    const page = await pageLedger(deps.db, params.accountId, query);
    return { data: page.data.map(ledgerOut), nextCursor: page.nextCursor };
  },
});

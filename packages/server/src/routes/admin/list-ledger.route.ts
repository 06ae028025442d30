import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { decodeCursor, olderThan, pageOf as pageOfRows } from '../../services/pagination.js';
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
    const after = decodeCursor(query.cursor);
    let q = deps.db.selectFrom('credit_ledger').selectAll().where('account_id', '=', params.accountId);
    if (after) q = q.where(olderThan(after, 'credit_ledger'));
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const page = pageOfRows(rows, query.limit);
    return { data: page.data.map(ledgerOut), nextCursor: page.nextCursor };
  },
});

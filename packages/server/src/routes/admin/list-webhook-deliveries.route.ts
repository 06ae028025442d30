import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { AccountParams, adminErrors, PageQuery, pageOf } from './shapes.js';
import { AdminWebhookDelivery } from './webhook-shapes.js';

export const listWebhookDeliveriesRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/accounts/:accountId/webhooks`,
  operationId: 'adminListWebhookDeliveries',
  summary: "List an account's webhook deliveries",
  description:
    'The delivery log (docs/webhooks.md), newest first, each delivery with its attempts (status codes, errors, ' +
    'durations). Deliveries that ended more than 30 days ago are removed.',
  tags: ['Admin: webhooks'],
  auth: true,
  params: AccountParams,
  query: PageQuery,
  responses: { 200: { description: 'One page', schema: pageOf(AdminWebhookDelivery) }, ...adminErrors(400, 404) },
  async handler({ params, query, deps }) {
    await deps.accounts.found(params.accountId);
    return deps.webhooks.page(params.accountId, query.limit, query.cursor);
  },
});

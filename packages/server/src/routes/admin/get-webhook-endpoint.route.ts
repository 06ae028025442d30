import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { AccountParams, adminErrors } from './shapes.js';
import { AdminWebhookEndpoint } from './webhook-shapes.js';

export const getWebhookEndpointRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/accounts/:accountId/webhook`,
  operationId: 'adminGetWebhookEndpoint',
  summary: "An account's webhook endpoint",
  description: 'The URL and whether a signing secret exists; the secret itself is never shown again.',
  tags: ['Admin: webhooks'],
  auth: true,
  params: AccountParams,
  responses: { 200: { description: 'The endpoint', schema: AdminWebhookEndpoint }, ...adminErrors(404) },
  async handler({ params, deps }) {
    await deps.accounts.found(params.accountId);
    return (await deps.webhooks.endpointOf(params.accountId))!;
  },
});

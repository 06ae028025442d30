import type { AnyRoute } from '../../http/route.js';
import { getWebhookEndpointRoute } from './get-webhook-endpoint.route.js';
import { listWebhookDeliveriesRoute } from './list-webhook-deliveries.route.js';
import { redeliverWebhookRoute } from './redeliver-webhook.route.js';
import { rotateWebhookSecretRoute } from './rotate-webhook-secret.route.js';
import { setWebhookEndpointRoute } from './set-webhook-endpoint.route.js';

/**
 * The admin API's webhook routes (docs/webhooks.md), registered beside `adminRoutes` (server.ts): the endpoint and its
 * secret, the delivery log, redelivery.
 */
export const adminWebhookRoutes: AnyRoute[] = [
  getWebhookEndpointRoute,
  setWebhookEndpointRoute,
  rotateWebhookSecretRoute,
  listWebhookDeliveriesRoute,
  redeliverWebhookRoute,
];

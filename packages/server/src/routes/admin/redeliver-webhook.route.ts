import { z } from 'zod';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { AccountParams, adminErrors } from './shapes.js';

const RedeliverParams = AccountParams.extend({ eventId: z.string().min(1).max(64) });

export const redeliverWebhookRoute = defineRoute({
  method: 'POST',
  url: `${ADMIN_PREFIX}/accounts/:accountId/webhooks/:eventId/redeliver`,
  operationId: 'adminRedeliverWebhook',
  summary: 'Send a webhook event again',
  description:
    'A new delivery of the event (same event id, so receivers that processed it skip it; fresh attempts) to where ' +
    "the generation's events go now: the request's webhookUrl, else the account's current endpoint. 400 " +
    "VALIDATION_FAILED (path `eventId`) for an event that is not this account's, one still being delivered, or one " +
    'with nowhere to go.',
  tags: ['Admin: webhooks'],
  auth: true,
  params: RedeliverParams,
  responses: {
    201: {
      description: 'The new delivery',
      schema: z.object({ deliveryId: z.string(), eventId: z.string(), url: z.string() }),
    },
    ...adminErrors(400, 404),
  },
  async handler({ reply, params, deps }) {
    await deps.accounts.found(params.accountId);
    return reply.status(201).send(await deps.webhooks.redeliver(params.eventId, params.accountId));
  },
});

import { z } from 'zod';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { AccountParams, adminErrors } from './shapes.js';

export const rotateWebhookSecretRoute = defineRoute({
  method: 'POST',
  url: `${ADMIN_PREFIX}/accounts/:accountId/webhook/rotate-secret`,
  operationId: 'adminRotateWebhookSecret',
  summary: "Replace an account's webhook signing secret",
  description:
    'The new secret (`whsec_…`) is in this answer only and signs every delivery from now on, retries of older ' +
    'events included: there is no overlap, so update the receiver right away.',
  tags: ['Admin: webhooks'],
  auth: true,
  params: AccountParams,
  responses: {
    200: { description: 'The new secret', schema: z.object({ webhookSecret: z.string().describe('Shown once') }) },
    ...adminErrors(404),
  },
  async handler({ params, deps }) {
    await deps.accounts.found(params.accountId);
    return { webhookSecret: await deps.webhooks.rotateSecret(params.accountId) };
  },
});

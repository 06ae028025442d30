import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { parseOrThrow } from '../../http/validation.js';
import { MAX_WEBHOOK_URL_LENGTH } from '../../services/webhooks.service.js';
import { AccountParams, adminErrors } from './shapes.js';

const SetWebhookBody = z
  .object({
    url: z
      .string()
      .trim()
      .min(1)
      .max(MAX_WEBHOOK_URL_LENGTH)
      .nullable()
      .describe("http(s) URL the account's events are POSTed to; null clears it"),
  })
  .strict();

export const setWebhookEndpointRoute = defineRoute({
  method: 'PUT',
  url: `${ADMIN_PREFIX}/accounts/:accountId/webhook`,
  operationId: 'adminSetWebhookEndpoint',
  summary: "Set or clear an account's webhook endpoint",
  description:
    'The first URL set on an account creates its signing secret (`whsec_…`), returned in this answer only (like an ' +
    'API key at creation); later calls keep it. The URL is checked as `fitroom accounts set --webhook-url` checks it: ' +
    'http(s), no credentials, no private IP literal unless ALLOW_PRIVATE_FETCH (host names are checked at delivery).',
  tags: ['Admin: webhooks'],
  auth: true,
  params: AccountParams,
  body: SetWebhookBody,
  responses: {
    200: {
      description: 'The endpoint',
      schema: z.object({
        webhookUrl: z.string().nullable(),
        webhookSecret: z.string().optional().describe('Only when this call created the secret: shown once'),
      }),
    },
    ...adminErrors(400, 404),
  },
  async handler({ req, params, deps }) {
    const body = parseOrThrow(SetWebhookBody, req.body ?? {});
    await deps.accounts.found(params.accountId);
    try {
      const set = await deps.webhooks.setEndpoint(params.accountId, body.url);
      return { webhookUrl: set.webhookUrl, ...(set.secret ? { webhookSecret: set.secret } : {}) };
    } catch (err) {
      // The service's message names the problem; here it is about the body's `url`.
      if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') {
        throw new ApiError('VALIDATION_FAILED', err.message, [{ path: 'url', message: err.message }]);
      }
      throw err;
    }
  },
});

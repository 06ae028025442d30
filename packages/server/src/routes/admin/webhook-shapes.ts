/** The admin API's webhook shapes (docs/webhooks.md), as Zod schemas that also document them in openapi.json. */
import { z } from 'zod';

export const AdminWebhookDelivery = z.object({
  deliveryId: z.string(),
  eventId: z.string().describe('`evt_…`: the same on every attempt and redelivery of the event'),
  type: z.string().describe('`generation.completed` or `generation.failed`'),
  generationId: z.string(),
  accountId: z.string(),
  url: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.array(
    z.object({
      attempt: z.number().int(),
      statusCode: z.number().int().nullable().describe("The receiver's HTTP status; null when none came"),
      error: z.string().nullable(),
      durationMs: z.number().int(),
      at: z.string(),
    }),
  ),
  nextAttemptAt: z.string().nullable().describe('When the next attempt may run; null unless pending'),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});

export const AdminWebhookEndpoint = z.object({
  webhookUrl: z.string().nullable().describe("null: the account's events go nowhere (unless a request names a URL)"),
  hasSecret: z.boolean().describe('A signing secret exists (it is shown only when made or rotated)'),
});

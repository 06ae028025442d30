import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { usageByDay } from '../../services/usage.service.js';
import { adminErrors, Instant } from './shapes.js';

const DAY_MS = 86_400_000;
/** The longest period one request may ask for (the dashboard draws at most this many days). */
export const MAX_USAGE_DAYS = 400;

const UsageDay = z.object({
  date: z.string().describe('YYYY-MM-DD, a UTC day'),
  accountId: z.string(),
  generations: z.number().int().describe('Try-ons accepted that day, whatever became of them'),
  completed: z.number().int(),
  failed: z.number().int(),
  creditsUsed: z
    .number()
    .int()
    .describe('The credits the try-ons accepted that day used: debits less the refunds of failures'),
  creditsAdded: z.number().int().describe('Granted at creation or topped up'),
  creditsRemoved: z.number().int().describe('Taken back by an operator'),
});

export const getUsageRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/usage`,
  operationId: 'adminGetUsage',
  summary: 'Usage per day and account',
  description:
    'Generations, failures and credits per UTC day and account over [from, to): one row per day and account with ' +
    `any activity (days without any are left out). At most ${MAX_USAGE_DAYS} days; by default the 30 days up to the ` +
    'end of today (UTC).',
  tags: ['Admin: usage'],
  auth: true,
  query: z.object({
    from: Instant.optional().describe('Inclusive (ISO-8601)'),
    to: Instant.optional().describe('Exclusive (ISO-8601)'),
    accountId: z.string().min(1).max(64).optional().describe('Only this account (404 if there is none)'),
  }),
  responses: {
    200: {
      description: 'The usage',
      schema: z.object({ from: z.string(), to: z.string(), days: z.array(UsageDay) }),
    },
    ...adminErrors(400, 404),
  },
  async handler({ query, deps }) {
    const endOfToday = Math.floor(deps.clock.now().getTime() / DAY_MS) * DAY_MS + DAY_MS;
    const to = query.to ?? new Date(endOfToday).toISOString();
    const from = query.from ?? new Date(Date.parse(to) - 30 * DAY_MS).toISOString();
    const span = Date.parse(to) - Date.parse(from);
    if (span <= 0) {
      throw new ApiError('VALIDATION_FAILED', '`from` must come before `to`.', [
        { path: 'from', message: 'Must be before to' },
      ]);
    }
    if (span > MAX_USAGE_DAYS * DAY_MS) {
      throw new ApiError('VALIDATION_FAILED', `At most ${MAX_USAGE_DAYS} days at once.`, [
        { path: 'to', message: `At most ${MAX_USAGE_DAYS} days after from` },
      ]);
    }
    if (query.accountId) await deps.accounts.found(query.accountId);
    return { from, to, days: await usageByDay(deps.db, { from, to, accountId: query.accountId }) };
  },
});

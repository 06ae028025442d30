import { defineRoute } from '../http/route.js';
import { Credits, errorResponses } from '../http/schemas.js';

export const getCreditsRoute = defineRoute({
  method: 'GET',
  url: '/account/credits',
  operationId: 'getCredits',
  summary: 'Check the credit balance',
  tags: ['Account'],
  auth: true,
  responses: { 200: { description: 'Balance', schema: Credits }, ...errorResponses(401, 429) },
  async handler({ account, deps }) {
    return { creditBalance: await deps.credits.balance(account.id) };
  },
});

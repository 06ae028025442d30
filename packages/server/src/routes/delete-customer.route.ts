import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { errorResponses } from '../http/schemas.js';

export const deleteCustomerRoute = defineRoute({
  method: 'DELETE',
  url: '/customers/:customerId',
  operationId: 'deleteCustomer',
  summary: 'Erase a customer (GDPR)',
  description:
    'Deletes every person image and result stored for this `externalUserId` (or legacy `customerId`) and anonymises ' +
    'their generations. Idempotent: 204 even when nothing matches.',
  tags: ['Customers'],
  auth: true,
  params: z.object({ customerId: z.string().min(1).max(255) }),
  responses: { 204: { description: 'Erased' }, ...errorResponses(401, 429) },
  async handler({ params, account, deps, reply }) {
    await deps.customers.erase(account.id, params.customerId);
    return reply.status(204).send();
  },
});

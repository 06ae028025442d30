import { z } from 'zod';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { pageGenerations } from '../../services/admin-catalog.service.js';
import { AdminGeneration, adminErrors, generationOut, Instant, PageQuery, pageOf } from './shapes.js';

const GenerationsQuery = PageQuery.extend({
  accountId: z.string().min(1).max(64).optional().describe('Only this account (404 if there is none)'),
  status: z.enum(['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED']).optional(),
  from: Instant.optional().describe('Created at or after this instant (ISO-8601)'),
  to: Instant.optional().describe('Created before this instant (ISO-8601)'),
});

export const listGenerationsRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/generations`,
  operationId: 'adminListGenerations',
  summary: 'List generations of every account (or of one)',
  description:
    'Newest first, filtered by account, status and creation time. Person, product and result images as signed URLs ' +
    '(null once retention removed them), the error code of failed ones, and how long each took.',
  tags: ['Admin: generations'],
  auth: true,
  query: GenerationsQuery,
  responses: { 200: { description: 'One page', schema: pageOf(AdminGeneration) }, ...adminErrors(400, 404) },
  async handler({ query, deps }) {
    if (query.accountId) await deps.accounts.found(query.accountId);
    const page = await pageGenerations(deps.db, query);
    return { data: await Promise.all(page.data.map((g) => generationOut(deps, g))), nextCursor: page.nextCursor };
  },
});

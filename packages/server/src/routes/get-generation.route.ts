import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { errorResponses, Generation } from '../http/schemas.js';

export const getGenerationRoute = defineRoute({
  method: 'GET',
  url: '/generations/:id',
  operationId: 'getGeneration',
  summary: 'Poll a generation',
  description:
    '`resultImageUrl` (signed, temporary) once COMPLETED; `errorCode` and `errorMessage` when FAILED. Unknown id: 404 ' +
    'GENERATION_NOT_FOUND; another account’s: 403 FORBIDDEN.',
  tags: ['Try-on'],
  auth: true,
  params: z.object({ id: z.string().min(1).max(64) }),
  responses: { 200: { description: 'The generation', schema: Generation }, ...errorResponses(401, 403, 404, 429) },
  async handler({ params, account, deps }) {
    return deps.generations.toApi(await deps.generations.getOwned(account.id, params.id));
  },
});

import { z } from 'zod';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { findGeneration } from '../../services/admin-catalog.service.js';
import { AdminGenerationDetail, adminErrors, generationDetailOut } from './shapes.js';

export const getGenerationRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/generations/:generationId`,
  operationId: 'adminGetGeneration',
  summary: 'Get a generation',
  description: 'Every field, and the snapshot of the product the try-on ran with.',
  tags: ['Admin: generations'],
  auth: true,
  params: z.object({ generationId: z.string().min(1).max(64) }),
  responses: { 200: { description: 'The generation', schema: AdminGenerationDetail }, ...adminErrors(400, 404) },
  async handler({ params, deps }) {
    return generationDetailOut(deps, await findGeneration(deps.db, params.generationId));
  },
});

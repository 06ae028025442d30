import { z } from 'zod';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { AccountParams, AdminApiKey, adminErrors, apiKeyOut } from './shapes.js';

export const revokeKeyRoute = defineRoute({
  method: 'DELETE',
  url: `${ADMIN_PREFIX}/accounts/:accountId/keys/:keyId`,
  operationId: 'adminRevokeKey',
  summary: 'Revoke an API key',
  description:
    'At once on this server, within 100 ms on the others sharing the database. Revoking a revoked key changes ' +
    'nothing and answers it again.',
  tags: ['Admin: API keys'],
  auth: true,
  params: AccountParams.extend({ keyId: z.string().min(1).max(64) }),
  responses: { 200: { description: 'The revoked key', schema: AdminApiKey }, ...adminErrors(400, 404) },
  async handler({ params, deps }) {
    await deps.accounts.found(params.accountId);
    return apiKeyOut(await deps.accounts.revokeKeyOf(params.accountId, params.keyId));
  },
});

import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { AccountParams, adminErrors } from './shapes.js';

export const getLogoRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/accounts/:accountId/logo`,
  operationId: 'adminGetLogo',
  summary: "An account's watermark logo",
  description: "The stored PNG (for the dashboard's preview). 404 NOT_FOUND when the account has none.",
  tags: ['Admin: accounts'],
  auth: true,
  params: AccountParams,
  responses: {
    200: { description: 'The logo', contentType: 'image/png', schema: z.string().describe('PNG bytes') },
    ...adminErrors(400, 404),
  },
  async handler({ reply, params, deps }) {
    const account = await deps.accounts.found(params.accountId);
    const blob = account.logo_blob_key ? await deps.blobs.get(account.logo_blob_key) : null;
    if (!blob) throw new ApiError('NOT_FOUND', `Account '${params.accountId}' has no logo.`);
    return reply.type(blob.contentType).send(blob.data);
  },
});

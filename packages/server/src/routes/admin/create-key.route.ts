import { z } from 'zod';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { parseOrThrow } from '../../http/validation.js';
import { AccountParams, AdminCreatedKey, adminErrors, createdKeyOut } from './shapes.js';

const CreateKeyBody = z.object({ label: z.string().trim().min(1).max(100).nullable().optional() }).strict();

export const createKeyRoute = defineRoute({
  method: 'POST',
  url: `${ADMIN_PREFIX}/accounts/:accountId/keys`,
  operationId: 'adminCreateKey',
  summary: 'Create an API key',
  description: 'The key (`gk_…`) is in this answer only: it is stored as a SHA-256 hash and cannot be shown again.',
  tags: ['Admin: API keys'],
  auth: true,
  params: AccountParams,
  body: CreateKeyBody,
  responses: {
    201: { description: 'Created', schema: AdminCreatedKey },
    ...adminErrors(400, 404),
  },
  async handler({ req, reply, params, deps }) {
    const body = parseOrThrow(CreateKeyBody, req.body ?? {});
    await deps.accounts.found(params.accountId);
    const created = await deps.accounts.createKey(params.accountId, body.label ?? null);
    return reply.status(201).send(createdKeyOut(created));
  },
});

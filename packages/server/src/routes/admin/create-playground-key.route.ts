import { z } from 'zod';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { parseOrThrow } from '../../http/validation.js';
import { newPlaygroundKey, PLAYGROUND_KEY_LABEL } from '../../services/playground-key.service.js';
import { AccountParams, AdminCreatedKey, adminErrors, createdKeyOut } from './shapes.js';

const Empty = z.object({}).strict();

export const createPlaygroundKeyRoute = defineRoute({
  method: 'POST',
  url: `${ADMIN_PREFIX}/accounts/:accountId/playground-key`,
  operationId: 'adminCreatePlaygroundKey',
  summary: 'A key for the dashboard playground',
  description:
    `An API key of the account labelled \`${PLAYGROUND_KEY_LABEL}\`, for running try-ons through the public API ` +
    "from the dashboard; shown once. It revokes the account's earlier playground keys, so at most one is live per " +
    "account. Its try-ons are the account's own (they cost its credits). A disabled account gets 400.",
  tags: ['Admin: API keys'],
  auth: true,
  params: AccountParams,
  body: Empty,
  responses: {
    201: { description: 'Created', schema: AdminCreatedKey },
    ...adminErrors(400, 404),
  },
  async handler({ req, reply, params, deps }) {
    parseOrThrow(Empty, req.body ?? {});
    const created = await newPlaygroundKey(deps, params.accountId);
    return reply.status(201).send(createdKeyOut(created));
  },
});

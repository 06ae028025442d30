import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { parseOrThrow } from '../../http/validation.js';
import {
  AccountName,
  Engine,
  EngineChecks,
  IdentityPass,
  identityPassColumn,
  OutfitItems,
  RateLimit,
  RetentionDays,
  refuseUnrunnableEngine,
} from './account-input.js';
import { AccountParams, AdminAccount, accountOut, adminErrors } from './shapes.js';

const UpdateAccountBody = z
  .object({
    name: AccountName,
    rateLimitPerMin: RateLimit,
    retentionDays: RetentionDays,
    engine: Engine,
    engineChecks: EngineChecks,
    identityPass: IdentityPass,
    maxOutfitItems: OutfitItems,
    disabled: z.boolean().describe("true: the account's keys are refused until it is enabled again"),
  })
  .partial()
  .strict();

export const updateAccountRoute = defineRoute({
  method: 'PATCH',
  url: `${ADMIN_PREFIX}/accounts/:accountId`,
  operationId: 'adminUpdateAccount',
  summary: 'Change an account',
  description:
    'Any of the fields; the others keep their values. An engine this server cannot run is refused (400), as the ' +
    "CLI's `accounts set` refuses it. Running servers apply the change at once (their key cache is dropped).",
  tags: ['Admin: accounts'],
  auth: true,
  params: AccountParams,
  body: UpdateAccountBody,
  responses: { 200: { description: 'The changed account', schema: AdminAccount }, ...adminErrors(400, 404) },
  async handler({ req, params, deps }) {
    const body = parseOrThrow(UpdateAccountBody, req.body ?? {});
    if (Object.keys(body).length === 0) {
      throw new ApiError('VALIDATION_FAILED', 'Nothing to change: send at least one field.');
    }
    refuseUnrunnableEngine(body.engine, deps.config);
    await deps.accounts.found(params.accountId);
    const { identityPass, ...rest } = body;
    await deps.accounts.update(params.accountId, {
      ...rest,
      ...(identityPass !== undefined ? { identityPass: identityPassColumn(identityPass) } : {}),
    });
    return accountOut(await deps.accounts.found(params.accountId));
  },
});

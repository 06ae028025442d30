import { z } from 'zod';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { parseOrThrow } from '../../http/validation.js';
import { AccountName, Engine, RateLimit, RetentionDays, refuseUnrunnableEngine } from './account-input.js';
import { AdminAccount, accountOut, adminErrors } from './shapes.js';

const CreateAccountBody = z
  .object({
    name: AccountName,
    credits: z.number().int().min(0).max(1_000_000).optional().describe('Initial credits (a `grant` ledger row)'),
    rateLimitPerMin: RateLimit.optional(),
    retentionDays: RetentionDays.optional().describe('Default 7'),
    engine: Engine.optional(),
  })
  .strict();

export const createAccountRoute = defineRoute({
  method: 'POST',
  url: `${ADMIN_PREFIX}/accounts`,
  operationId: 'adminCreateAccount',
  summary: 'Create an account',
  description: 'Without an API key: create one with POST …/keys (shown once).',
  tags: ['Admin: accounts'],
  auth: true,
  body: CreateAccountBody,
  responses: { 201: { description: 'Created', schema: AdminAccount }, ...adminErrors(400) },
  async handler({ req, reply, deps }) {
    const body = parseOrThrow(CreateAccountBody, req.body ?? {});
    refuseUnrunnableEngine(body.engine, deps.config);
    const account = await deps.accounts.createAccount(body);
    return reply.status(201).send(accountOut(account));
  },
});

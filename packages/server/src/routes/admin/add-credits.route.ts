import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { parseOrThrow } from '../../http/validation.js';
import { OverdrawError } from '../../services/credits.service.js';
import { AccountParams, AdminLedgerEntry, adminErrors, ledgerOut } from './shapes.js';

const AddCreditsBody = z
  .object({
    amount: z
      .number()
      .int()
      .min(-1_000_000)
      .max(1_000_000)
      .refine((n) => n !== 0, 'Must not be 0')
      .describe('Credits to add; negative to take credits back (never below a balance of 0)'),
    note: z.string().trim().min(1).max(500).describe('Why (an invoice number, a goodwill gesture): kept in the ledger'),
  })
  .strict();

export const addCreditsRoute = defineRoute({
  method: 'POST',
  url: `${ADMIN_PREFIX}/accounts/:accountId/credits`,
  operationId: 'adminAddCredits',
  summary: 'Add or take back credits',
  description:
    'One conditional update of the balance plus a ledger row (`top_up`, or `adjustment` for a negative amount), in ' +
    "one transaction, as the CLI's `credits add` does. Taking back more than the balance changes nothing: 400 " +
    'VALIDATION_FAILED (path `amount`), whatever try-ons run at the same moment.',
  tags: ['Admin: credits'],
  auth: true,
  params: AccountParams,
  body: AddCreditsBody,
  responses: {
    201: {
      description: 'Done',
      schema: z.object({ balance: z.number().int().describe('The new balance'), entry: AdminLedgerEntry }),
    },
    ...adminErrors(400, 404),
  },
  async handler({ req, reply, params, deps }) {
    const body = parseOrThrow(AddCreditsBody, req.body ?? {});
    await deps.accounts.found(params.accountId);
    try {
      const { balance, entry } = await deps.credits.grantWithEntry(
        deps.db,
        params.accountId,
        body.amount,
        body.amount > 0 ? 'top_up' : 'adjustment',
        body.note,
      );
      return reply.status(201).send({ balance, entry: ledgerOut(entry) });
    } catch (err) {
      if (!(err instanceof OverdrawError)) throw err;
      throw new ApiError(
        'VALIDATION_FAILED',
        `The account has ${err.balance} credits: ${-body.amount} cannot be taken back.`,
        [{ path: 'amount', message: `Would take the balance below 0 (it is ${err.balance})` }],
      );
    }
  },
});

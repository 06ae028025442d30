/**
 * The dashboard playground's API key: the playground runs a try-on through the public API as a shop would, so it
 * needs a real key of the account (the admin token is no account key). Each request for one revokes the account's
 * earlier playground keys, so at most one is live per account however often the page is opened, and none outlives
 * the next one; it is an ordinary key otherwise (listed with its label, revocable, its try-ons cost credits).
 */
import type { ApiKeyRow } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';

/** The label that marks a playground key (a key created with POST …/keys and this label counts as one too). */
export const PLAYGROUND_KEY_LABEL = 'dashboard playground';

export async function newPlaygroundKey(deps: Deps, accountId: string): Promise<{ apiKey: string; row: ApiKeyRow }> {
  const account = await deps.accounts.found(accountId);
  if (account.disabled_at !== null) {
    // Its keys are refused (401): the playground could do nothing with one.
    throw new ApiError('VALIDATION_FAILED', `Account '${accountId}' is disabled: enable it to use the playground.`, [
      { path: 'accountId', message: 'The account is disabled' },
    ]);
  }
  const earlier = await deps.db
    .selectFrom('api_keys')
    .select('id')
    .where('account_id', '=', accountId)
    .where('label', '=', PLAYGROUND_KEY_LABEL)
    .where('revoked_at', 'is', null)
    .execute();
  const created = await deps.accounts.createKey(accountId, PLAYGROUND_KEY_LABEL);
  for (const key of earlier) await deps.accounts.revokeKey(key.id);
  return { apiKey: created.apiKey, row: created.row };
}

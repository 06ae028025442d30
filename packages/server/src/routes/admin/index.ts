import type { AnyRoute } from '../../http/route.js';
import { addCreditsRoute } from './add-credits.route.js';
import { createAccountRoute } from './create-account.route.js';
import { createKeyRoute } from './create-key.route.js';
import { createPlaygroundKeyRoute } from './create-playground-key.route.js';
import { deleteLogoRoute } from './delete-logo.route.js';
import { deleteProductRoute } from './delete-product.route.js';
import { getAccountRoute } from './get-account.route.js';
import { getGenerationRoute } from './get-generation.route.js';
import { getLogoRoute } from './get-logo.route.js';
import { getSessionRoute } from './get-session.route.js';
import { getUsageRoute } from './get-usage.route.js';
import { listAccountsRoute } from './list-accounts.route.js';
import { listEnginesRoute } from './list-engines.route.js';
import { listGenerationsRoute } from './list-generations.route.js';
import { listKeysRoute } from './list-keys.route.js';
import { listLedgerRoute } from './list-ledger.route.js';
import { listProductsRoute } from './list-products.route.js';
import { revokeKeyRoute } from './revoke-key.route.js';
import { setLogoRoute } from './set-logo.route.js';
import { signInRoute } from './sign-in.route.js';
import { signOutRoute } from './sign-out.route.js';
import { updateAccountRoute } from './update-account.route.js';

/** The admin API (docs/admin-api.md): the dashboard's session and /admin/v1. */
export const adminRoutes: AnyRoute[] = [
  signInRoute,
  signOutRoute,
  getSessionRoute,
  listEnginesRoute,
  listAccountsRoute,
  createAccountRoute,
  getAccountRoute,
  updateAccountRoute,
  listKeysRoute,
  createKeyRoute,
  revokeKeyRoute,
  createPlaygroundKeyRoute,
  listLedgerRoute,
  addCreditsRoute,
  setLogoRoute,
  getLogoRoute,
  deleteLogoRoute,
  listProductsRoute,
  deleteProductRoute,
  listGenerationsRoute,
  getGenerationRoute,
  getUsageRoute,
];

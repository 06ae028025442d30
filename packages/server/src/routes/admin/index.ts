import type { AnyRoute } from '../../http/route.js';
import { createAccountRoute } from './create-account.route.js';
import { createKeyRoute } from './create-key.route.js';
import { getAccountRoute } from './get-account.route.js';
import { getSessionRoute } from './get-session.route.js';
import { listAccountsRoute } from './list-accounts.route.js';
import { listEnginesRoute } from './list-engines.route.js';
import { listKeysRoute } from './list-keys.route.js';
import { revokeKeyRoute } from './revoke-key.route.js';
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
];

import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { countAdminAuthAttempt, sessionCookie } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { parseOrThrow } from '../../http/validation.js';
import { adminErrors } from './shapes.js';

const SignInBody = z.object({ token: z.string().min(1).max(1024) });

export const signInRoute = defineRoute({
  method: 'POST',
  url: '/dashboard/session',
  operationId: 'adminSignIn',
  summary: 'Sign in to the dashboard',
  description:
    'Trades the admin token for the session cookie `fitroom_admin` (HttpOnly, SameSite=Strict, 12 hours; Secure over ' +
    'https). Attempts are limited per client address (10 a minute, successful ones included): 429 past that.',
  tags: ['Admin: session'],
  auth: false,
  body: SignInBody,
  responses: { 204: { description: 'Signed in; the cookie is set' }, ...adminErrors(400) },
  async handler({ req, reply, deps }) {
    await countAdminAuthAttempt(req, deps);
    const { token } = parseOrThrow(SignInBody, req.body ?? {});
    const auth = req.server.adminAuth;
    if (!auth.isAdminToken(token)) throw new ApiError('ADMIN_AUTH_REQUIRED', 'Wrong admin token.');
    return reply.header('set-cookie', sessionCookie(req, auth.newSession())).status(204).send();
  },
});

import { sessionCookie } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';

export const signOutRoute = defineRoute({
  method: 'DELETE',
  url: '/dashboard/session',
  operationId: 'adminSignOut',
  summary: 'Sign out of the dashboard',
  description:
    'Clears the session cookie in this browser. Sessions are stateless (signed with a key derived from the admin ' +
    'token): a copy of the cookie stays valid until it expires, and changing the admin token ends every session.',
  tags: ['Admin: session'],
  auth: false,
  responses: { 204: { description: 'Signed out; the cookie is cleared' } },
  async handler({ req, reply }) {
    return reply.header('set-cookie', sessionCookie(req, null)).status(204).send();
  },
});

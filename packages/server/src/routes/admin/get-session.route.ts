import { z } from 'zod';
import { ADMIN_PREFIX, adminOf } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { adminErrors } from './shapes.js';

export const getSessionRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/session`,
  operationId: 'adminGetSession',
  summary: 'The current dashboard session',
  description:
    'The CSRF token that every non-GET request authenticated by the session cookie must carry in `x-csrf-token`, ' +
    'and when the session ends. Both are null for a request authenticated by the admin token (it needs no CSRF token).',
  tags: ['Admin: session'],
  auth: true,
  responses: {
    200: {
      description: 'The session',
      schema: z.object({ csrfToken: z.string().nullable(), expiresAt: z.string().nullable() }),
    },
    ...adminErrors(),
  },
  async handler({ req }) {
    const admin = adminOf(req);
    if (admin.via === 'token') return { csrfToken: null, expiresAt: null };
    return {
      csrfToken: req.server.adminAuth.csrfTokenOf(admin.session),
      expiresAt: admin.session.expiresAt.toISOString(),
    };
  },
});

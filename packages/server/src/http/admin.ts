/**
 * The admin API's HTTP layer (docs/admin-api.md): its routes under /admin/v1 and /dashboard/session, registered
 * beside the contract's with their own authentication — the admin token as a bearer, or the dashboard's session
 * cookie plus a CSRF header on anything but a read. An account API key is never enough here, and the admin token is
 * no account key (the public API looks it up like any unknown key: 401 INVALID_API_KEY).
 */
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { type AdminAuth, type AdminSession, SESSION_TTL_S } from '../services/admin-auth.service.js';
import { type AnyRoute, openApiSchemaFor, validateInputs } from './route.js';
import type { RouteErrorContext } from './to-api-error.js';

export const ADMIN_PREFIX = '/admin/v1';
export const SESSION_COOKIE = 'fitroom_admin';
/** How the admin routes are secured in the OpenAPI document (the schemes are declared in app.ts). */
export const ADMIN_SECURITY: Array<Record<string, string[]>> = [{ adminToken: [] }, { adminSession: [] }];

/**
 * Sign-in attempts, and requests with a wrong admin bearer token, allowed per client address and minute. Sign-ins
 * count whether they succeed or not, so past the limit even the right token waits (a guess cannot be confirmed);
 * a generated token has 256 random bits and a configured one at least 32 characters, so this only stops floods.
 */
export const ADMIN_AUTH_ATTEMPTS_PER_MIN = 10;

/** How the request proved it is the operator's. */
export type AdminIdentity = { via: 'token' } | { via: 'session'; session: AdminSession };

declare module 'fastify' {
  interface FastifyRequest {
    admin?: AdminIdentity;
  }
  interface FastifyInstance {
    adminAuth: AdminAuth;
  }
  interface FastifyContextConfig extends RouteErrorContext {}
}

const PLACEHOLDER_ACCOUNT = Object.freeze({}) as never;
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Admin answers are never cached (they carry keys shown once, balances) nor framed (clickjacking the dashboard),
 * and never sniffed into another type (logo bytes).
 */
function securityHeaders(reply: FastifyReply): void {
  reply
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('content-security-policy', "frame-ancestors 'none'")
    .header('referrer-policy', 'no-referrer');
}

/** Counts one attempt against the address's admin-authentication budget; RATE_LIMITED past it. */
export async function countAdminAuthAttempt(req: FastifyRequest, deps: Deps): Promise<void> {
  const now = deps.clock.now().getTime();
  const hit = await deps.rateLimits.hit(`adminauth:${req.ip}`, 60_000, now);
  if (hit.count <= ADMIN_AUTH_ATTEMPTS_PER_MIN) return;
  throw Object.assign(new ApiError('RATE_LIMITED', 'Too many admin sign-in attempts from this address.'), {
    retryAfterS: Math.max(0, Math.ceil((hit.resetAt - now) / 1000)),
  });
}

const bearerOf = (header: string | undefined): string | null => {
  const match = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
};

/** The session cookie's value, if the request carries one. */
export function sessionCookieOf(req: FastifyRequest): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  return parseCookies(header)[SESSION_COOKIE] ?? null;
}

/** The Set-Cookie value of a new session, or (null) of its removal. */
export function sessionCookie(req: FastifyRequest, session: AdminSession | null): string {
  return serializeCookie(SESSION_COOKIE, session?.value ?? '', {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: session ? SESSION_TTL_S : 0,
    // Over https (directly, or behind a proxy with TRUST_PROXY) the browser must never send it in clear.
    secure: req.protocol === 'https',
  });
}

async function authenticateAdmin(req: FastifyRequest, deps: Deps): Promise<AdminIdentity> {
  const auth = req.server.adminAuth;
  const bearer = bearerOf(req.headers.authorization);
  if (bearer !== null) {
    if (auth.isAdminToken(bearer)) return { via: 'token' };
    await countAdminAuthAttempt(req, deps);
    throw new ApiError('ADMIN_AUTH_REQUIRED', 'Invalid admin token.');
  }
  const value = sessionCookieOf(req);
  const session = value ? auth.sessionOf(value) : null;
  if (!session) {
    throw value
      ? new ApiError('ADMIN_AUTH_REQUIRED', 'The dashboard session has ended: sign in again.')
      : new ApiError('ADMIN_AUTH_REQUIRED');
  }
  // A cookie rides along on any request the browser sends, also one a hostile page makes it send: a change must
  // prove it comes from a page that could read GET /admin/v1/session.
  if (!READS.has(req.method)) {
    const given = req.headers['x-csrf-token'];
    if (typeof given !== 'string' || !auth.isCsrfToken(session, given)) throw new ApiError('CSRF_TOKEN_INVALID');
  }
  return { via: 'session', session };
}

/** The admin request's identity (set by the admin routes' hook before their handler runs). */
export function adminOf(req: FastifyRequest): AdminIdentity {
  if (!req.admin) throw new Error('adminOf: not an authenticated admin route');
  return req.admin;
}

/**
 * Registers the admin routes (`url` is their full path; `auth: true` means the admin's authentication here) and a
 * catch-all that answers unknown /admin/v1 paths 404 — after authentication, so they reveal nothing to strangers.
 */
export function adminApi(auth: AdminAuth, routes: AnyRoute[]) {
  return (app: FastifyInstance, deps: Deps) => {
    app.decorate('adminAuth', auth);
    const headers = async (_req: FastifyRequest, reply: FastifyReply) => securityHeaders(reply);
    const authenticate = async (req: FastifyRequest) => {
      req.admin = await authenticateAdmin(req, deps);
    };
    for (const def of routes) {
      // What the error handler needs to know of the route (to-api-error.ts), as for the contract's routes.
      const errorContext = {
        takesFiles: def.consumes?.includes('multipart/form-data') ?? false,
        ...(def.fileField ? { fileField: def.fileField } : {}),
      } satisfies RouteErrorContext;
      app.route({
        method: def.method,
        url: def.url,
        schema: { ...openApiSchemaFor(def), ...(def.auth ? { security: ADMIN_SECURITY } : {}) },
        config: errorContext,
        onRequest: def.auth ? [headers, authenticate] : [headers],
        handler: async (req, reply) => {
          const { params, query } = validateInputs(def, req);
          const result = await def.handler({ req, reply, params, query, account: PLACEHOLDER_ACCOUNT, deps });
          if (reply.sent) return reply;
          return result;
        },
      });
    }
    app.all(`${ADMIN_PREFIX}/*`, { schema: { hide: true }, onRequest: [headers, authenticate] }, async (req) => {
      throw new ApiError('NOT_FOUND', `No route for ${req.method} ${req.url.split('?')[0]}.`);
    });
  };
}

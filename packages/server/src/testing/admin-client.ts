/**
 * The admin API as its tests call it, through `app.inject`: with the admin token as a bearer (the token the test
 * server made in its DATA_DIR), or as the dashboard does, with the session cookie and the CSRF header.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { ADMIN_TOKEN_FILE } from '../services/admin-auth.service.js';
import type { TestContext } from './test-server.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface AdminClient {
  token: string;
  /** A request with `Authorization: Bearer <admin token>`; a `payload` object goes as JSON. */
  call(
    method: Method,
    url: string,
    payload?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  /** Like `call`, with the JSON answer; throws on an error status. */
  json<T = Record<string, unknown>>(method: Method, url: string, payload?: unknown): Promise<T>;
}

/** The admin token of a test server: ADMIN_TOKEN when its env sets one, else the one it made in DATA_DIR. */
export function adminTokenOf(ctx: Pick<TestContext, 'dataDir' | 'config'>): string {
  return ctx.config.adminToken?.reveal() ?? readFileSync(join(ctx.dataDir, ADMIN_TOKEN_FILE), 'utf8').trim();
}

export function adminClient(ctx: Pick<TestContext, 'app' | 'dataDir' | 'config'>): AdminClient {
  const token = adminTokenOf(ctx);
  const call: AdminClient['call'] = (method, url, payload, headers = {}) =>
    ctx.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
    });
  return {
    token,
    call,
    async json(method, url, payload) {
      const res = await call(method, url, payload);
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    },
  };
}

export interface BrowserSession {
  /** The `cookie` request header carrying the session. */
  cookie: string;
  /** The Set-Cookie header of the sign-in answer. */
  setCookie: string;
  csrfToken: string;
}

/** Signs in as the dashboard does: POST /dashboard/session, then GET /admin/v1/session for the CSRF token. */
export async function signIn(ctx: Pick<TestContext, 'app'>, token: string): Promise<BrowserSession> {
  const res = await ctx.app.inject({ method: 'POST', url: '/dashboard/session', payload: { token } });
  if (res.statusCode !== 204) throw new Error(`sign-in: ${res.statusCode} ${res.body}`);
  const setCookie = String(res.headers['set-cookie']);
  const cookie = setCookie.split(';')[0]!;
  const session = await ctx.app.inject({ url: '/admin/v1/session', headers: { cookie } });
  return { cookie, setCookie, csrfToken: session.json().csrfToken };
}

/**
 * Calls to the server: the admin API (`/admin/v1`, authenticated by the session cookie, with the CSRF token on every
 * non-GET), the session endpoints, and the public API (`/tryon/v1`, with an account key) for the playground.
 * Every failure becomes an ApiFailure carrying the server's `{code, message, status}` envelope.
 */
import type { Session } from './types.js';

export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

/** Called when the admin API answers 401 (the session expired or the token was rotated). */
export function onSessionLost(callback: () => void): void {
  onSignedOut = callback;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  query?: Record<string, string | number | null | undefined>;
  json?: unknown;
  form?: FormData;
  /** An account key (public API): sent as x-api-key, and no cookie-session handling. */
  apiKey?: string;
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function send<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  else if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiFailure('NETWORK_ERROR', 'The server could not be reached. Check your connection and retry.', 0);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page, say: reported below with the status.
  }
  if (!res.ok) {
    const envelope = parsed as { code?: string; message?: string } | null;
    const failure = new ApiFailure(
      envelope?.code ?? 'HTTP_ERROR',
      envelope?.message ?? `The server answered ${res.status} ${res.statusText}.`,
      res.status,
    );
    if (res.status === 401 && !options.apiKey && path.startsWith('/admin/')) onSignedOut?.();
    throw failure;
  }
  return parsed as T;
}

/** The admin API, under /admin/v1. */
export const admin = {
  get: <T>(path: string, query?: RequestOptions['query']) => send<T>(`/admin/v1${path}`, { query }),
  post: <T>(path: string, json?: unknown) => send<T>(`/admin/v1${path}`, { method: 'POST', json: json ?? {} }),
  patch: <T>(path: string, json: unknown) => send<T>(`/admin/v1${path}`, { method: 'PATCH', json }),
  /** A file upload (FormData) or a JSON body. */
  put: <T>(path: string, body: FormData | Record<string, unknown>) =>
    send<T>(
      `/admin/v1${path}`,
      body instanceof FormData ? { method: 'PUT', form: body } : { method: 'PUT', json: body },
    ),
  delete: <T>(path: string) => send<T>(`/admin/v1${path}`, { method: 'DELETE' }),
};

/** The public API, under /tryon/v1, with an account key. */
export const publicApi = {
  get: <T>(apiKey: string, path: string) => send<T>(`/tryon/v1${path}`, { apiKey }),
  postJson: <T>(apiKey: string, path: string, json: unknown) =>
    send<T>(`/tryon/v1${path}`, { method: 'POST', json, apiKey }),
  postForm: <T>(apiKey: string, path: string, form: FormData) =>
    send<T>(`/tryon/v1${path}`, { method: 'POST', form, apiKey }),
};

/** The current session, or null when not signed in. */
export async function loadSession(): Promise<Session | null> {
  try {
    const session = await send<Session>('/admin/v1/session');
    csrfToken = session.csrfToken;
    return session;
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) return null;
    throw err;
  }
}

export async function signIn(token: string): Promise<Session> {
  await send<void>('/dashboard/session', { method: 'POST', json: { token } });
  const session = await loadSession();
  if (!session) throw new ApiFailure('SESSION_NOT_KEPT', 'Signed in, but the browser did not keep the cookie.', 0);
  return session;
}

export async function signOut(): Promise<void> {
  await send<void>('/dashboard/session', { method: 'DELETE' });
  csrfToken = null;
}

/** A message fit for the page: the envelope's code and message. */
export function describeError(err: unknown): string {
  if (err instanceof ApiFailure) return err.code === 'NETWORK_ERROR' ? err.message : `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}

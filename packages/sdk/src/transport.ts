// The one place that talks HTTP: URL building, headers, per-attempt timeout, the caller's abort signal, retries with
// backoff, and the mapping of failures to error classes. Uses only fetch, Headers, AbortController, URL and setTimeout
// so it runs on every supported runtime.
import { type Endpoint, fillPath } from './endpoints.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  errorFromResponse,
  FitroomError,
  RequestAbortedError,
} from './errors.js';

/** Options every SDK method accepts as its last argument; they override the client's settings for that call. */
export interface RequestOptions {
  /** Per-attempt timeout in ms. */
  timeoutMs?: number;
  /** Retries after the first attempt (for retryable failures only). */
  maxRetries?: number;
  /** Aborts the call, including a backoff sleep; the promise rejects with `RequestAbortedError` (name `AbortError`). */
  signal?: AbortSignal;
  /**
   * Sent as the `idempotency-key` header. On `tryOn.create` / `tryOn.createSync` it also allows automatic retries,
   * which are otherwise off because a retry could run (and charge) a second generation. Use a fresh random key per
   * logical try-on, e.g. `crypto.randomUUID()`.
   */
  idempotencyKey?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

export interface TransportConfig {
  apiKey: string;
  /** Without a trailing slash (the client strips it). */
  baseUrl: string;
  timeoutMs: number;
  maxRetries: number;
  fetch: typeof fetch;
}

export interface ApiRequest {
  endpoint: Endpoint;
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  /** A JSON body; or `form`, a multipart body (sent as is on every attempt: FormData can be sent again). */
  json?: unknown;
  form?: FormData;
  /** Overrides the client's timeout when the caller gave none (createSync needs longer). */
  defaultTimeoutMs?: number;
  options?: RequestOptions | undefined;
}

export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
}

/** Longest `retry-after` the SDK sleeps through; a longer wait is the caller's decision, so it throws instead. */
const MAX_RETRY_AFTER_MS = 60_000;
/** Backoff without `retry-after`: 500 ms, 1 s, 2 s, … capped at 8 s, each scaled by a random factor in [0.5, 1]. */
/**
 * Answers the server gives before it runs anything: rate limited, the request's headers too slow to arrive, or the
 * server shutting down (its own 503 code; a proxy's 503 may come after the work and carries no such code).
 */
function answeredBeforeProcessing(status: number, code: string): boolean {
  return status === 429 || status === 408 || (status === 503 && code === 'SERVICE_UNAVAILABLE');
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;

/** `retry-after` as milliseconds: delta-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function backoffDelayMs(retryIndex: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retryIndex);
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}

/** Resolves after `ms`, or rejects with RequestAbortedError as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new RequestAbortedError(signal.reason));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RequestAbortedError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A signal that fires when the caller's `signal` does or after `timeoutMs`, whichever comes first; `timedOut()` tells
 * which. `dispose()` clears the timer and the listener once the guarded work is over.
 */
export function timeoutSignal(
  timeoutMs: number,
  signal: AbortSignal | undefined,
): { signal: AbortSignal; timedOut(): boolean; dispose(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

export class Transport {
  constructor(readonly config: TransportConfig) {}

  /** Absolute URL of an endpoint; the base URL keeps its path prefix (`/tryon/v1`). */
  private url(req: Pick<ApiRequest, 'endpoint' | 'params' | 'query'>): string {
    const url = new URL(this.config.baseUrl + fillPath(req.endpoint.path, req.params));
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url.toString();
  }

  async request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
    const opts = req.options ?? {};
    const url = this.url(req);
    const timeoutMs = opts.timeoutMs ?? req.defaultTimeoutMs ?? this.config.timeoutMs;
    const maxRetries = Math.max(0, opts.maxRetries ?? this.config.maxRetries);
    // Charging endpoints retry only with an idempotency key; 429 is the exception below.
    const retrySafe = req.endpoint.idempotent || opts.idempotencyKey !== undefined;

    const headers = new Headers(opts.headers);
    headers.set('x-api-key', this.config.apiKey);
    headers.set('accept', 'application/json');
    if (opts.idempotencyKey !== undefined) headers.set('idempotency-key', opts.idempotencyKey);
    let body: string | FormData | undefined;
    if (req.form !== undefined) {
      // fetch sets multipart/form-data with its boundary itself.
      body = req.form;
    } else if (req.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(req.json);
    }

    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < maxRetries;
      let failure: FitroomError;
      let retryAfterMs: number | undefined;
      let retryable: boolean;
      try {
        const res = await this.attempt(url, req.endpoint.method, headers, body, timeoutMs, opts.signal);
        if (res.status >= 200 && res.status < 300) {
          const data = parseBody(res.text);
          if (req.endpoint.responses[res.status] && (typeof data !== 'object' || data === null)) {
            // A 2xx that is not JSON is almost always a wrong base URL (a web page or another service answering).
            throw new FitroomError({
              code: 'INVALID_RESPONSE',
              message: `Expected a JSON body from ${req.endpoint.method} ${url} (HTTP ${res.status}); is baseUrl right?`,
              status: res.status,
              headers: res.headers,
              requestId: res.headers.get('x-request-id') ?? undefined,
            });
          }
          return { data: data as T, status: res.status, headers: res.headers };
        }
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
        failure = errorFromResponse(res.status, parseBody(res.text), res.headers, retryAfterMs);
        // A 429, a 408 and the server's own 503 SERVICE_UNAVAILABLE (it is shutting down) are answered before the
        // request is processed (nothing ran, nothing was charged), so even a try-on may be repeated; any other 5xx may
        // come after the work was done, so only retry-safe requests repeat it.
        retryable = answeredBeforeProcessing(res.status, failure.code) || (res.status >= 500 && retrySafe);
      } catch (err) {
        // Aborts (RequestAbortedError) and INVALID_RESPONSE are not connection errors: thrown as they are.
        if (!(err instanceof APIConnectionError)) throw err;
        failure = err;
        // The request may have reached the server before the connection failed, so the same rule as for 5xx.
        retryable = retrySafe;
      }
      if (!retryable || !canRetry) throw failure;
      if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) throw failure;
      await sleep(retryAfterMs ?? backoffDelayMs(attempt), opts.signal);
    }
  }

  /** One HTTP exchange, body read included, bounded by `timeoutMs` and the caller's signal. */
  private async attempt(
    url: string,
    method: string,
    headers: Headers,
    body: string | FormData | undefined,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; headers: Headers; text: string }> {
    if (signal?.aborted) throw new RequestAbortedError(signal.reason);
    const guard = timeoutSignal(timeoutMs, signal);
    try {
      const res = await this.config.fetch(url, { method, headers, body: body ?? null, signal: guard.signal });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text };
    } catch (err) {
      if (signal?.aborted) throw new RequestAbortedError(signal.reason);
      if (guard.timedOut()) throw new APIConnectionTimeoutError(timeoutMs);
      throw new APIConnectionError({
        message: `Connection error: ${err instanceof Error ? err.message : String(err)}`,
        cause: err,
      });
    } finally {
      guard.dispose();
    }
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

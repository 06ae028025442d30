import type { ErrorDetail, Generation, GenerationStatus } from './types.js';

/**
 * Base class of every error this SDK throws for an API or transport failure. Also exported as `GenlookError`, so
 * code written against `@genlook/api` keeps its `instanceof` checks.
 *
 * - `code`: the API's stable error code (`PRODUCT_NOT_FOUND`, `RATE_LIMITED`, …), or an SDK code for failures that
 *   never reached the API (`CONNECTION_ERROR`, `TIMEOUT`, `ABORTED`, …). Branch on `code` or on the subclass, never
 *   on `message`.
 * - `status`: the HTTP status, or `undefined` when no response was received.
 * - `requestId`: the server's `x-request-id`; quote it when reporting a problem.
 *
 * @example
 * try {
 *   await client.products.retrieve('shirt-42');
 * } catch (err) {
 *   if (err instanceof FitroomError) console.error(err.code, err.status, err.requestId);
 *   throw err;
 * }
 */
export class FitroomError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly details: ErrorDetail[] | undefined;
  readonly requestId: string | undefined;
  /** Response headers, when a response was received (rate-limit headers live here). */
  readonly headers: Headers | undefined;

  constructor(init: {
    code: string;
    message: string;
    status?: number | undefined;
    details?: ErrorDetail[] | undefined;
    requestId?: string | undefined;
    headers?: Headers | undefined;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.details = init.details;
    this.requestId = init.requestId;
    this.headers = init.headers;
  }
}

/** The constructor argument of API error classes (a response was received). */
export type ApiErrorInit = ConstructorParameters<typeof FitroomError>[0];

/** 401: `MISSING_API_KEY` or `INVALID_API_KEY`. Retrying will not help; check the key and the base URL. */
export class AuthenticationError extends FitroomError {}

/** 402: `INSUFFICIENT_CREDITS` (or the alpha code `QUOTA_EXCEEDED`). Top up the account; nothing was charged. */
export class InsufficientCreditsError extends FitroomError {}

/** 403: `FORBIDDEN`, the resource belongs to another account (or a signed URL expired). */
export class PermissionDeniedError extends FitroomError {}

/**
 * Every 400 (`VALIDATION_FAILED`, `EXTERNAL_ID_REQUIRED`, `PRODUCT_IMAGES_REQUIRED`, `CUSTOMER_IMAGE_REQUIRED`,
 * `FILE_REQUIRED`, `MULTIPART_FILE_NOT_FOUND`, `INVALID_IMAGE_INPUT`, `INVALID_IMAGE`, `CUSTOMER_IMAGE_FETCH_FAILED`,
 * `PRODUCT_IMAGE_FETCH_FAILED`, …), plus 413 `FILE_TOO_LARGE`, 414 `URI_TOO_LONG`, 422 and 431 `HEADERS_TOO_LARGE`. One class, because callers react to all of
 * them the same way (fix the request); the exact reason is `code`, and `details` lists the fields for
 * `VALIDATION_FAILED`.
 */
export class ValidationError extends FitroomError {}

/** 404 of any kind (including `NOT_FOUND`, which usually means the base URL lacks its `/tryon/v1` prefix). */
export class NotFoundError extends FitroomError {}

/**
 * 404 `PRODUCT_NOT_FOUND`: a referenced product is unknown or expired. The recommended reaction is
 * `products.upsert(...)` and one retry of the try-on (see the README).
 */
export class ProductNotFoundError extends NotFoundError {}

/** 404 `GENERATION_NOT_FOUND`. */
export class GenerationNotFoundError extends NotFoundError {}

/**
 * 429 `RATE_LIMITED`. Thrown only once the automatic retries are used up (or when the server asks to wait longer
 * than the SDK is willing to sleep). `retryAfterMs` is the server's `retry-after`, when it sent one.
 */
export class RateLimitedError extends FitroomError {
  readonly retryAfterMs: number | undefined;
  constructor(init: ApiErrorInit & { retryAfterMs?: number | undefined }) {
    super(init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** 5xx, after the automatic retries. */
export class InternalServerError extends FitroomError {}

/** No HTTP response: DNS, refused connection, reset, TLS. `cause` holds the runtime's error. */
export class APIConnectionError extends FitroomError {
  constructor(init: { message?: string; cause?: unknown; code?: string }) {
    super({ code: init.code ?? 'CONNECTION_ERROR', message: init.message ?? 'Connection error.', cause: init.cause });
  }
}

/** One attempt took longer than `timeoutMs` (after the automatic retries, if the request was retryable). */
export class APIConnectionTimeoutError extends APIConnectionError {
  constructor(timeoutMs: number) {
    super({ code: 'TIMEOUT', message: `Request timed out after ${timeoutMs} ms.` });
  }
}

/**
 * The caller's `AbortSignal` fired. Its `name` is `'AbortError'`, like the DOM's, so generic
 * `err.name === 'AbortError'` checks keep working.
 */
export class RequestAbortedError extends FitroomError {
  constructor(cause?: unknown) {
    super({ code: 'ABORTED', message: 'Request was aborted.', cause });
    this.name = 'AbortError';
  }
}

/** Thrown by `generations.waitFor` when the generation ends `FAILED` (the credit is refunded by the server). */
export class GenerationFailedError extends FitroomError {
  readonly generationId: string;
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  readonly generation: Generation;
  constructor(generation: Generation) {
    super({
      code: generation.errorCode ?? 'GENERATION_FAILED',
      message: `Generation ${generation.generationId} failed: ${generation.errorMessage ?? 'no reason given'}`,
    });
    this.generationId = generation.generationId;
    this.errorCode = generation.errorCode;
    this.errorMessage = generation.errorMessage;
    this.generation = generation;
  }
}

/** Thrown by `generations.waitFor` when the generation is not terminal within `timeoutMs`. It may still finish. */
export class GenerationTimeoutError extends FitroomError {
  readonly generationId: string;
  readonly timeoutMs: number;
  /** The last status seen, if any poll succeeded. */
  readonly lastStatus: GenerationStatus | undefined;
  readonly generation: Generation | undefined;
  constructor(generationId: string, timeoutMs: number, generation: Generation | undefined) {
    super({
      code: 'GENERATION_TIMEOUT',
      message: `Generation ${generationId} was not finished after ${timeoutMs} ms (last status: ${generation?.status ?? 'unknown'}).`,
    });
    this.generationId = generationId;
    this.timeoutMs = timeoutMs;
    this.lastStatus = generation?.status;
    this.generation = generation;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Turns a non-2xx response into the matching error class. The body is the contract's `{code, message, status,
 * details?}`; anything else (a proxy's HTML 502, an empty body) still yields a typed error keyed on the HTTP status.
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  headers: Headers,
  retryAfterMs: number | undefined,
): FitroomError {
  const b = isRecord(body) ? body : {};
  const code = typeof b.code === 'string' ? b.code : `HTTP_${status}`;
  const message =
    typeof b.message === 'string'
      ? b.message
      : typeof body === 'string' && body.length > 0 && body.length <= 200
        ? `HTTP ${status}: ${body}`
        : `HTTP ${status}`;
  const details = Array.isArray(b.details) ? (b.details as ErrorDetail[]) : undefined;
  const requestId = headers.get('x-request-id') ?? (typeof b.requestId === 'string' ? b.requestId : undefined);
  const init: ApiErrorInit = { code, message, status, details, requestId, headers };

  if (code === 'INSUFFICIENT_CREDITS' || code === 'QUOTA_EXCEEDED' || status === 402) {
    return new InsufficientCreditsError(init);
  }
  if (code === 'PRODUCT_NOT_FOUND') return new ProductNotFoundError(init);
  if (code === 'GENERATION_NOT_FOUND') return new GenerationNotFoundError(init);
  if (code === 'RATE_LIMITED' || status === 429) return new RateLimitedError({ ...init, retryAfterMs });
  switch (status) {
    case 400:
    case 413:
    case 414:
    case 422:
    case 431:
      return new ValidationError(init);
    case 401:
      return new AuthenticationError(init);
    case 403:
      return new PermissionDeniedError(init);
    case 404:
      return new NotFoundError(init);
  }
  if (status >= 500) return new InternalServerError(init);
  return new FitroomError(init);
}

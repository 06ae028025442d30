/**
 * Maps anything thrown while handling a request to the contract's error envelope: our ApiErrors as they are,
 * Fastify's own errors (router, body parsing) and its plugins' HTTP errors to the closest documented code, and
 * anything else to 500 INTERNAL_ERROR. `clientErrorAnswer` does the same for what Node's HTTP parser rejects before
 * Fastify sees a request.
 */
import { STATUS_CODES } from 'node:http';
import { ApiError } from '../errors.js';

/** What the error mapping needs to know about the route that failed (its Fastify route config). */
export interface RouteErrorContext {
  /** The multipart file field the route exists to receive (POST /images/upload: `file`). */
  fileField?: string;
  /** The route takes image files as multipart parts (POST /products, /try-on). */
  takesFiles?: boolean;
}

/** A form post without files: browsers and form libraries send this when a form has no file input filled in. */
const isFormUrlencoded = (contentType: string | undefined) =>
  (contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');

/** Fastify's body-parsing errors that mean "not a body this route can read" rather than "a body too large". */
const UNREADABLE_BODY = new Set([
  'FST_ERR_CTP_INVALID_MEDIA_TYPE',
  'FST_ERR_CTP_EMPTY_JSON_BODY',
  'FST_ERR_CTP_INVALID_JSON_BODY',
]);

export function toApiError(err: unknown, route?: RouteErrorContext, contentType?: string): ApiError {
  if (err instanceof ApiError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; statusCode?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  // An upload route reads one multipart file: a body of any other kind cannot carry it (Genlook: FILE_REQUIRED
  // "when there is no file field"), whether it is JSON, form-urlencoded or anything else.
  if (route?.fileField && code !== undefined && UNREADABLE_BODY.has(code))
    return new ApiError('FILE_REQUIRED', `A multipart file field named "${route.fileField}" is required.`);
  // A route that takes files, sent a form-urlencoded form: the files it was meant to carry are missing (Genlook's
  // catalogue: a missing file is FILE_REQUIRED). Other unsupported types stay VALIDATION_FAILED below.
  if (route?.takesFiles && code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' && isFormUrlencoded(contentType))
    return new ApiError(
      'FILE_REQUIRED',
      'A form-urlencoded body cannot carry files: send multipart/form-data (a `data` field and the image files) or JSON.',
    );
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new ApiError('FILE_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(
        'VALIDATION_FAILED',
        'Unsupported Content-Type: send application/json or multipart/form-data.',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('VALIDATION_FAILED', 'The JSON body is empty.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('VALIDATION_FAILED', 'The body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('VALIDATION_FAILED', 'Invalid Content-Length.');
    case 'FST_ERR_BAD_URL':
      return new ApiError('VALIDATION_FAILED', 'Malformed URL: invalid percent-encoding.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError('URI_TOO_LONG');
  }
  // Other client errors of Fastify and its plugins (the docs' static files: a path outside their folder, a bad
  // Range; a request aborted while its body was read) carry an HTTP statusCode: keep their meaning, in the envelope.
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500) return clientErrorOfStatus(status);
  return new ApiError('INTERNAL_ERROR');
}

function clientErrorOfStatus(status: number): ApiError {
  switch (status) {
    case 403:
    case 404:
    case 405:
      return new ApiError('NOT_FOUND', 'Not found.');
    case 408:
      return new ApiError('REQUEST_TIMEOUT');
    case 413:
      return new ApiError('FILE_TOO_LARGE', 'The request body is too large.');
    case 414:
      return new ApiError('URI_TOO_LONG');
    case 431:
      return new ApiError('HEADERS_TOO_LARGE');
    default:
      return new ApiError('VALIDATION_FAILED', 'Malformed request.');
  }
}

/**
 * The raw HTTP answer to a request Node's parser rejected (Fastify's `clientErrorHandler`): header block too large
 * (431), headers not complete within `headersTimeout` (408), anything else malformed (400). Null when nothing can be
 * sent: the client already hung up.
 */
export function clientErrorAnswer(err: { code?: string }, requestId: string): string | null {
  if (err.code === 'ECONNRESET') return null;
  return rawAnswer(
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new ApiError('HEADERS_TOO_LARGE')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new ApiError('REQUEST_TIMEOUT')
        : new ApiError('VALIDATION_FAILED', 'Malformed HTTP request.'),
    requestId,
  );
}

/** An error written straight to a socket (no ServerResponse exists): status line, headers, the envelope. */
export function rawAnswer(apiError: ApiError, requestId: string): string {
  const body = JSON.stringify(apiError.toBody());
  return (
    `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}\r\n` +
    'content-type: application/json; charset=utf-8\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    `x-request-id: ${requestId}\r\n` +
    'connection: close\r\n\r\n' +
    body
  );
}

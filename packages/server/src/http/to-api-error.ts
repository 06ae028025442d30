/** Maps anything thrown while handling a request to the contract's error envelope. */
import type { FastifyError } from 'fastify';
import { ApiError } from '../errors.js';

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as FastifyError & { statusCode?: number };
  switch (e.code) {
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
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('VALIDATION_FAILED', 'Invalid Content-Length.');
  }
  // JSON syntax errors from Fastify's parser carry statusCode 400 and no code.
  if (e.statusCode === 400 && e instanceof SyntaxError)
    return new ApiError('VALIDATION_FAILED', 'The body is not valid JSON.');
  if (e.statusCode === 400 && e.code?.startsWith('FST_'))
    return new ApiError('VALIDATION_FAILED', 'Malformed request.');
  return new ApiError('INTERNAL_ERROR');
}

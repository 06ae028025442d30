/**
 * The one error type of the API and the closed catalogue of codes it may carry (spec §3 and §8).
 * Anything thrown that is not an ApiError becomes 500 INTERNAL_ERROR with a generic message; its cause is logged.
 */
export const ERROR_CATALOGUE = {
  MISSING_API_KEY: { status: 401, message: 'Missing x-api-key header.' },
  INVALID_API_KEY: { status: 401, message: 'Invalid API key.' },
  FORBIDDEN: { status: 403, message: 'This resource belongs to another account.' },
  VALIDATION_FAILED: { status: 400, message: 'Request validation failed.' },
  EXTERNAL_ID_REQUIRED: { status: 400, message: 'externalId is required.' },
  PRODUCT_IMAGES_REQUIRED: { status: 400, message: 'A new product needs at least one image.' },
  CUSTOMER_IMAGE_REQUIRED: { status: 400, message: 'person.image.source is required.' },
  FILE_REQUIRED: { status: 400, message: 'A multipart file field named "file" is required.' },
  MULTIPART_FILE_NOT_FOUND: {
    status: 400,
    message: "A fileKey referenced from `data` doesn't appear in the multipart payload.",
  },
  INVALID_IMAGE_INPUT: { status: 400, message: 'Each image needs exactly one of source.url or source.fileKey.' },
  INVALID_IMAGE: { status: 400, message: 'The file is not a readable JPEG, PNG, WebP or HEIC image.' },
  CUSTOMER_IMAGE_FETCH_FAILED: { status: 400, message: 'The person image URL could not be downloaded.' },
  PRODUCT_IMAGE_FETCH_FAILED: { status: 400, message: 'A product image could not be downloaded.' },
  PRODUCT_NOT_FOUND: { status: 404, message: 'Product not found.' },
  GENERATION_NOT_FOUND: { status: 404, message: 'Generation not found.' },
  NOT_FOUND: { status: 404, message: 'Route not found.' },
  FILE_TOO_LARGE: { status: 413, message: 'The file is larger than the 10 MB limit.' },
  // Not in Genlook's catalogue (its pages show none for these): answers of the HTTP layer itself, each with the
  // status HTTP defines for it, so that every answer of the server is in the envelope (docs/compatibility.md).
  URI_TOO_LONG: { status: 414, message: 'A path segment of the URL is too long.' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request line and headers are larger than the 16 KB limit.' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request headers were not received in time.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The server is shutting down. Retry in a moment.' },
  INSUFFICIENT_CREDITS: { status: 402, message: 'Not enough credits. Top up your account to continue.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests. Slow down and retry later.' },
  // The blob store refuses writes (disk full, read-only). Also a generation's errorCode when its result cannot be stored.
  STORAGE_UNAVAILABLE: { status: 503, message: 'The server cannot store files at the moment. Retry later.' },
  INTERNAL_ERROR: { status: 500, message: 'Internal server error.' },
  // The admin API (/admin/v1, /dashboard/session: docs/admin-api.md). Not Genlook's: it has no admin API.
  ADMIN_AUTH_REQUIRED: {
    status: 401,
    message: 'This needs the admin token (Authorization: Bearer) or a dashboard session.',
  },
  CSRF_TOKEN_INVALID: {
    status: 403,
    message: 'Missing or wrong x-csrf-token header (GET /admin/v1/session gives it).',
  },
  ACCOUNT_NOT_FOUND: { status: 404, message: 'Account not found.' },
  API_KEY_NOT_FOUND: { status: 404, message: 'API key not found.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'ApiError';
    this.status = ERROR_CATALOGUE[code].status;
  }

  toBody(): { code: ErrorCode; message: string; status: number; details?: ErrorDetail[] } {
    return {
      code: this.code,
      message: this.message,
      status: this.status,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const productNotFound = (externalId: string) =>
  new ApiError('PRODUCT_NOT_FOUND', `Product '${externalId}' not found.`);

export const fileKeyNotFound = (fileKey: string) =>
  new ApiError(
    'MULTIPART_FILE_NOT_FOUND',
    `The fileKey '${fileKey}' referenced from \`data\` doesn't appear in the multipart payload.`,
  );

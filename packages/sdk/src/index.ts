// @fitroom/sdk: a dependency-free client for fitroom and the Genlook Virtual Try-On API v1.
export {
  DEFAULT_BASE_URL,
  Fitroom,
  Fitroom as Genlook,
  Fitroom as default,
  type FitroomOptions,
  type GenlookOptions,
} from './client.js';
export { ENDPOINTS, type Endpoint, type EndpointName } from './endpoints.js';
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  AuthenticationError,
  FitroomError,
  FitroomError as GenlookError,
  GenerationFailedError,
  GenerationNotFoundError,
  GenerationTimeoutError,
  InsufficientCreditsError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  ProductNotFoundError,
  RateLimitedError,
  RequestAbortedError,
  ValidationError,
} from './errors.js';
export type { WaitForOptions } from './resources/generations.js';
export { RESPONSE_FIELDS } from './response-fields.js';
export type { RequestOptions } from './transport.js';
export type * from './types.js';
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookEvent,
  WebhookVerificationError,
} from './webhooks.js';

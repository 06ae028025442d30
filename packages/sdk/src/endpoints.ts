import type { ResponseTypeName } from './response-fields.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** One API operation. `path` is relative to the base URL (which ends in `/tryon/v1`), OpenAPI-style `{param}`. */
export interface Endpoint {
  method: HttpMethod;
  path: string;
  /** Success statuses and the response type each carries (`null`: no body). */
  responses: Readonly<Record<number, ResponseTypeName | null>>;
  /**
   * Whether a retry is safe without an idempotency key. False for the two try-on calls, which debit a credit: a retry
   * after a lost answer would run (and charge) a second generation.
   */
  idempotent: boolean;
}

/**
 * Every operation the SDK calls, keyed by SDK method. The resources read method and path from here, so this table is
 * what the SDK really does, and openapi-contract.test.ts checks it against the server's OpenAPI document.
 */
export const ENDPOINTS = {
  'images.upload': {
    method: 'POST',
    path: '/images/upload',
    responses: { 200: 'UploadImageResponse' },
    // A retried upload may store the photo twice; that costs no credit and the copy expires with retention.
    idempotent: true,
  },
  'tryOn.create': { method: 'POST', path: '/try-on', responses: { 200: 'TryOnResponse' }, idempotent: false },
  'tryOn.createSync': {
    method: 'POST',
    path: '/try-on/sync',
    responses: { 200: 'TryOnSyncResponse', 202: 'TryOnSyncResponse' },
    idempotent: false,
  },
  'generations.retrieve': {
    method: 'GET',
    path: '/generations/{generationId}',
    responses: { 200: 'Generation' },
    idempotent: true,
  },
  'products.upsert': { method: 'POST', path: '/products', responses: { 200: 'Product' }, idempotent: true },
  'products.list': { method: 'GET', path: '/products', responses: { 200: 'ProductList' }, idempotent: true },
  'products.retrieve': {
    method: 'GET',
    path: '/products/{externalId}',
    responses: { 200: 'Product' },
    idempotent: true,
  },
  'products.delete': { method: 'DELETE', path: '/products/{externalId}', responses: { 204: null }, idempotent: true },
  'customers.delete': {
    method: 'DELETE',
    path: '/customers/{customerId}',
    responses: { 204: null },
    idempotent: true,
  },
  'account.credits': {
    method: 'GET',
    path: '/account/credits',
    responses: { 200: 'CreditsResponse' },
    idempotent: true,
  },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof ENDPOINTS;

/** Fills `{param}` placeholders, URL-encoding each value so an id cannot change the path (`a/b`, `..`, `?`). */
export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`${name} must be a non-empty string`);
    }
    // URL parsing (in fetch too) resolves `.` and `..` segments even when percent-encoded as %2E, so such an id
    // would silently address another route (`/products/..` → `/`). No escape exists; refuse it.
    if (value === '.' || value === '..') throw new TypeError(`${name} cannot be "." or ".."`);
    return encodeURIComponent(value);
  });
}
